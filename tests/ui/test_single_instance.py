"""A second start on the same data folder raises the first window instead of opening the file."""

from __future__ import annotations

import uuid

from pytestqt.qtbot import QtBot

from clerk_app.ui.single_instance import SingleInstance


def test_second_instance_activates_the_first(qtbot: QtBot) -> None:
    key = f"/tmp/data-{uuid.uuid4()}"
    first = SingleInstance(key)
    assert not first.notify_running()
    assert first.listen()
    second = SingleInstance(key)
    with qtbot.waitSignal(first.activation_requested, timeout=3000):
        assert second.notify_running()
    other_folder = SingleInstance(key + "-other")
    assert not other_folder.notify_running()
    first.close()
