"""The demo office's ePUAP: the local simulator running inside the program (``--demo``).

It listens on 127.0.0.1 on a random port in a background thread, its box holds a few sample
letters, and the inbox settings point at it, so the ePUAP page works in the demo and a
newcomer can watch letters arrive. Real settings are never overwritten: the simulator is
configured only when ePUAP is not set up yet or is set up for an earlier demo run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from clerk_app.config import Settings
from clerk_app.integrations.epuap.sample_letters import crd_letter
from clerk_app.integrations.epuap.server_messages import StoredDocument
from clerk_app.integrations.epuap.simulator import EpuapSimulator, generate_identity
from clerk_app.services.epuap_settings import (
    EpuapSettings,
    load_epuap_settings,
    save_epuap_settings,
)

log = logging.getLogger("clerk_app.inbox.demo")

STATE_DIR = "epuap-symulator-demo"
DEMO_PKCS12 = "urzad-demo.p12"  # its own name: no keyring password is ever looked up for it
DEMO_BOX = ("ug_zielona_dolina", "skrytka", "/ug_zielona_dolina/skrytka")
CITIZEN_BOX = ("jan_kowalski_test", "skrytka", "/jan_kowalski_test/skrytka")


@dataclass
class DemoSimulator:
    simulator: EpuapSimulator
    configured: bool  # False: real ePUAP settings were found and left alone

    @property
    def base_url(self) -> str:
        return self.simulator.base_url

    def stop(self) -> None:
        self.simulator.stop()


def is_demo_configuration(values: EpuapSettings, state_dir: Path) -> bool:
    return values.environment == "custom" and Path(values.pkcs12_path).parent == state_dir


def start_demo_simulator(settings: Settings, *, letters: int = 12) -> DemoSimulator:
    """Start the simulator with ``letters`` waiting and point the inbox at it (if allowed)."""
    state = settings.data_dir / STATE_DIR
    current = load_epuap_settings(settings)
    may_configure = not current.is_configured or is_demo_configuration(current, state)
    office = generate_identity("Urząd Gminy Zielona Dolina (demo)", days=365)
    simulator = EpuapSimulator(allowed_certificates=[office.certificate], auto_stop_after=None)
    simulator.add_box(*DEMO_BOX)
    simulator.add_box(*CITIZEN_BOX)
    for i in range(letters):
        simulator.enqueue(DEMO_BOX[2], StoredDocument(f"pismo_{i + 1}.xml", crd_letter(i)))
    simulator.start()
    if not may_configure:
        log.info("ePUAP is configured for real use; the demo simulator runs unused")
        return DemoSimulator(simulator, configured=False)
    try:
        state.mkdir(parents=True, exist_ok=True)
        p12 = state / DEMO_PKCS12
        # A throwaway demo key: unencrypted, so the demo needs no keyring.
        p12.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"urzad-demo",
                office.private_key,
                office.certificate,
                None,
                serialization.NoEncryption(),
            )
        )
        server_cert = state / "epuap_podpis.pem"
        server_cert.write_bytes(
            simulator.identity.certificate.public_bytes(serialization.Encoding.PEM)
        )
        save_epuap_settings(
            settings,
            replace(
                current,
                environment="custom",
                base_url=simulator.base_url,
                entity_id=DEMO_BOX[0],
                box_name=DEMO_BOX[1],
                box_address=DEMO_BOX[2],
                pkcs12_path=str(p12),
                server_certificate_path=str(server_cert),
                tls_ca_path="",
            ),
        )
    except BaseException:
        simulator.stop()
        raise
    log.info("Demo ePUAP simulator at %s with %d letters", simulator.base_url, letters)
    return DemoSimulator(simulator, configured=True)
