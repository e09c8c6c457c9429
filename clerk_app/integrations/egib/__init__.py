"""Readers for EGiB / county WFS parcel GML and planning zone layers (APP 2.0, GeoJSON).

Readers stream the input and yield plain dataclasses with geometry already in the
working CRS (EPSG:2180); storing them is the parcel store's job.
"""
