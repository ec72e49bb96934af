"""Leaflet maps (through folium) rendered to HTML for an iframe.

Leaflet's script and stylesheet are served by the app itself (assets/vendor/leaflet,
copied from the npm package at set-up), so maps work without a CDN; the base tiles
come from OpenStreetMap when the browser can reach it.
"""

from __future__ import annotations

import uuid

import folium
from sqlmodel import Session

from services.devices.models import Equipment
from services.devices.registry import facility_location
from services.geo.models import HealthcareFacility
from services.settings import get_settings

LEAFLET_JS = [("leaflet", "/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/vendor/leaflet/leaflet.css")]


def _map(center: tuple[float, float], zoom: int) -> folium.Map:
    fmap = folium.Map(location=center, zoom_start=zoom, tiles="OpenStreetMap",
                      control_scale=True)
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    return fmap


def deployment_map(db: Session, device_id: uuid.UUID, deployments: list[dict]) -> str:
    """The facility, its deployment radius and every scan of the device's label."""
    device = db.get(Equipment, device_id)
    facility = db.get(HealthcareFacility, device.facility_id) if device.facility_id else None
    if facility is None:
        return ""
    site = facility_location(db, facility)
    fmap = _map(site, 14)
    folium.Circle(site, radius=get_settings().qr_deploy_radius_m, color="#0f766e",
                  fill=True, fill_opacity=0.08, tooltip="Deployment radius").add_to(fmap)
    folium.CircleMarker(site, radius=9, color="#0f766e", fill=True, fill_opacity=1,
                        tooltip=facility.name).add_to(fmap)
    points = [site]
    for scan in deployments:
        if scan.get("lat") is None or scan.get("lng") is None:
            continue
        point = (float(scan["lat"]), float(scan["lng"]))
        points.append(point)
        folium.CircleMarker(
            point, radius=6, color="#15803d" if scan["isValid"] else "#dc2626", fill=True,
            fill_opacity=0.9,
            tooltip=f"{'valid' if scan['isValid'] else 'refused'} · {scan['at'][:16]}",
        ).add_to(fmap)
    if len(points) > 1:
        fmap.fit_bounds([[min(p[0] for p in points), min(p[1] for p in points)],
                         [max(p[0] for p in points), max(p[1] for p in points)]], padding=(30, 30))
    return fmap.get_root().render()
