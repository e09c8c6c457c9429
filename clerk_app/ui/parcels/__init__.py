"""Parcel lookup: search box, candidates, attributes, map, online check and the parcel sheet."""
