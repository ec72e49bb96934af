"""Leaflet maps (through folium) rendered to HTML for an iframe: the one place a map is
drawn, for the routes (`/api/v1/maps/...`) and the states alike. The data each map shows
comes from the services of its domain; nothing here reads the database.

Leaflet's script and stylesheet are served by the app itself (assets/vendor/leaflet,
copied from the npm package at set-up), so maps work without a CDN; the base tiles
come from OpenStreetMap when the browser can reach it.

Every tooltip goes through `_tip`: folium writes its text into HTML inside a script, so a
name like `Hub <img src=x onerror=...>` must arrive as words. The pages frame these maps
sandboxed, without the app's origin, as a second wall.
"""

from __future__ import annotations

from datetime import datetime

import folium

from services.common.clock import IST
from services.rendering import html_text

LEAFLET_JS = [("leaflet", "/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/vendor/leaflet/leaflet.css")]


def _tip(text: str) -> folium.Tooltip:
    """A tooltip that shows `text` literally (folium puts it in HTML as it is)."""
    return folium.Tooltip(html_text(text))


def _map(center: tuple[float, float], zoom: int) -> folium.Map:
    fmap = folium.Map(location=center, zoom_start=zoom, tiles="OpenStreetMap", control_scale=True)
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    return fmap


def deployment_map(place: dict | None, deployments: list[dict]) -> str:
    """The facility, its deployment radius and every scan of the device's label; `place`
    is the device's site from `services.devices.queries.deployment_site` (empty without
    one)."""
    if place is None:
        return ""
    site = place["site"]
    fmap = _map(site, 14)
    folium.Circle(
        site,
        radius=place["radiusM"],
        color="#0f766e",
        fill=True,
        fill_opacity=0.08,
        tooltip=_tip("Deployment radius"),
    ).add_to(fmap)
    folium.CircleMarker(
        site, radius=9, color="#0f766e", fill=True, fill_opacity=1, tooltip=_tip(place["name"])
    ).add_to(fmap)
    points = [site]
    for scan in deployments:
        if scan.get("lat") is None or scan.get("lng") is None:
            continue
        point = (float(scan["lat"]), float(scan["lng"]))
        points.append(point)
        folium.CircleMarker(
            point,
            radius=6,
            color="#15803d" if scan["isValid"] else "#dc2626",
            fill=True,
            fill_opacity=0.9,
            tooltip=_tip(f"{'valid' if scan['isValid'] else 'refused'} · {scan['at'][:16]}"),
        ).add_to(fmap)
    if len(points) > 1:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ],
            padding=(30, 30),
        )
    return fmap.get_root().render()


CLUSTER_JS = [("markerclusterjs", "/vendor/leaflet/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", "/vendor/leaflet/MarkerCluster.css"),
    ("markerclusterdefaultcss", "/vendor/leaflet/MarkerCluster.Default.css"),
]
INDIA = (22.5, 80.0)
# One colour per family of facility types, so the map reads at a glance.
TYPE_COLOURS = {
    "hospital": "#b91c1c",
    "trauma_center": "#b91c1c",
    "emergency_center": "#b91c1c",
    "cardiac_center": "#be185d",
    "oncology_center": "#be185d",
    "diagnostic_lab": "#7c3aed",
    "pathology_lab": "#7c3aed",
    "radiology_center": "#2563eb",
    "imaging_center": "#2563eb",
    "sleep_study_center": "#2563eb",
    "primary_health_center": "#15803d",
    "community_health_center": "#15803d",
    "dispensary": "#15803d",
}
OTHER_COLOUR = "#b45309"
_POINT_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {radius: 6, weight: 1,
        color: row[3], fillColor: row[3], fillOpacity: 0.85});
    var link = document.createElement('a');
    link.href = '/directory/' + row[4]; link.target = '_top'; link.textContent = row[2];
    var box = document.createElement('div');
    box.appendChild(link);
    box.appendChild(document.createElement('br'));
    box.appendChild(document.createTextNode(row[5]));
    marker.bindPopup(box);
    return marker;
}"""


def directory_map(points: list[tuple]) -> str:
    """Every facility as a clustered point (names in popups, linking to the facility
    page); the clusters keep tens of thousands of points fast."""
    from folium.plugins import FastMarkerCluster

    fmap = _map(INDIA, 5)
    data = [
        [lat, lng, name, TYPE_COLOURS.get(ftype, OTHER_COLOUR), fid, ftype.replace("_", " ")]
        for lat, lng, name, ftype, fid in points
    ]
    cluster = FastMarkerCluster(
        data,
        callback=_POINT_CALLBACK,
        name="facilities",
        options={"chunkedLoading": True, "maxClusterRadius": 60},
    )
    cluster.default_js, cluster.default_css = CLUSTER_JS, CLUSTER_CSS
    cluster.add_to(fmap)
    if points:
        lats, lngs = [p[0] for p in points], [p[1] for p in points]
        fmap.fit_bounds(
            [[min(lats), min(lngs)], [max(lats), max(lngs)]], padding=(20, 20), max_zoom=13
        )
    return fmap.get_root().render()


def service_area_map(area: dict, probe=None) -> str:
    """A hub, its radius, the centroids of the pincodes it covers, and a checked pincode."""
    hub = (area["hubLatitude"], area["hubLongitude"])
    fmap = _map(hub, 10)
    if area.get("radiusKm"):
        folium.Circle(
            hub,
            radius=area["radiusKm"] * 1000,
            color="#0f766e",
            weight=2,
            fill=True,
            fill_opacity=0.06,
            tooltip=_tip(f"{area['radiusKm']:g} km around the hub"),
        ).add_to(fmap)
    covered = folium.FeatureGroup(name="covered pincodes").add_to(fmap)
    for p in area["pincodes"]:
        folium.CircleMarker(
            (p["lat"], p["lng"]),
            radius=4,
            color="#0f766e",
            weight=1,
            fill=True,
            fill_opacity=0.6,
            tooltip=_tip(f"{p['pincode']} · {p['city']}"),
        ).add_to(covered)
    folium.Marker(
        hub,
        tooltip=_tip(f"{area['name']} (hub, {area['hubPincode']})"),
        icon=folium.DivIcon(
            html='<div style="font-size:22px">&#9873;</div>',
            icon_size=(24, 24),
            icon_anchor=(6, 22),
        ),
    ).add_to(fmap)
    points = [hub] + [(p["lat"], p["lng"]) for p in area["pincodes"]]
    if probe is not None:
        inside = probe.pincode in {p["pincode"] for p in area["pincodes"]}
        spot = (probe.latitude, probe.longitude)
        folium.CircleMarker(
            spot,
            radius=10,
            color="#15803d" if inside else "#dc2626",
            weight=3,
            fill=True,
            fill_opacity=0.3,
            tooltip=_tip(f"{probe.pincode}: {'covered' if inside else 'not covered'}"),
        ).add_to(fmap)
        folium.PolyLine([hub, spot], color="#6b7280", dash_array="6").add_to(fmap)
        points.append(spot)
    if len(points) > 1:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ],
            padding=(24, 24),
        )
    return fmap.get_root().render()


PRIORITY_COLOURS = {"P1": "#dc2626", "P2": "#ea580c", "P3": "#2563eb", "P4": "#6b7280"}
ROUTE_COLOURS = ("#0f766e", "#7c3aed", "#b45309", "#be185d", "#1d4ed8", "#15803d", "#9f1239")


def _ist(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(IST).strftime("%d %b %H:%M")


RISK_COLOURS = {"late": "#dc2626", "at risk": "#f59e0b"}
LEGEND = """
<div style="position:fixed;bottom:26px;right:10px;z-index:1000;background:white;padding:6px 9px;
 border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px system-ui,sans-serif;
 line-height:1.6">
 <b>Jobs</b> {priorities}<br>
 <b>SLA</b> <span style="color:#dc2626">&#9711; late</span>
 <span style="color:#f59e0b">&#9711; at risk</span><br>
 <b>Map</b> &#9873; hub · &#9679; technician (grey: idle) · numbers: stop order
</div>"""


def _stop_icon(order: int, fill: str, border: str) -> folium.DivIcon:
    return folium.DivIcon(
        html=f'<div style="width:22px;height:22px;border-radius:11px;background:{fill};'
        f"border:3px solid {border};color:white;font:bold 11px system-ui;"
        f'display:flex;align-items:center;justify-content:center">{order}</div>',
        icon_size=(28, 28),
        icon_anchor=(14, 14),
    )


def dispatch_map(plan: dict, hubs: list[dict] | None = None) -> str:
    """Hubs, technicians (idle ones in grey), their routes as lines with numbered stops
    filled by priority and ringed by SLA risk, and the jobs left out dashed in grey."""
    from services.dispatch.override import sla_risk

    routes = [r for r in plan["routes"] if r["stops"] and _drawable(r)]
    points = [(s["lat"], s["lng"]) for r in routes for s in r["stops"]]
    points += [(u["lat"], u["lng"]) for u in plan["unassigned"] if u["lat"]]
    fmap = _map(points[0] if points else INDIA, 11 if points else 5)
    for hub in hubs or []:
        if hub.get("hubLatitude") is None:
            continue
        spot = (hub["hubLatitude"], hub["hubLongitude"])
        folium.Marker(
            spot,
            tooltip=_tip(f"{hub['name']} (hub, {hub['hubPincode']})"),
            icon=folium.DivIcon(
                html='<div style="font-size:22px;color:#111827">&#9873;</div>',
                icon_size=(24, 24),
                icon_anchor=(6, 22),
            ),
        ).add_to(fmap)
    for route in plan["routes"]:
        if not route["stops"]:
            start = (route["start"]["lat"], route["start"]["lng"])
            folium.CircleMarker(
                start,
                radius=7,
                color="#6b7280",
                fill=True,
                fill_opacity=0.8,
                tooltip=_tip(f"{route['technician']} (idle in this plan)"),
            ).add_to(fmap)
    for k, route in enumerate(routes):
        colour = ROUTE_COLOURS[k % len(ROUTE_COLOURS)]
        start = (route["start"]["lat"], route["start"]["lng"])
        line = [start] + [(s["lat"], s["lng"]) for s in route["stops"]]
        folium.PolyLine(
            line, color=colour, weight=4, opacity=0.8, tooltip=_tip(route["technician"])
        ).add_to(fmap)
        folium.CircleMarker(
            start,
            radius=8,
            color="white",
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=1,
            tooltip=_tip(f"{route['technician']} starts here"),
        ).add_to(fmap)
        points.append(start)
        for order, stop in enumerate(route["stops"], start=1):
            risk = sla_risk(stop)
            spot = (stop["lat"], stop["lng"])
            if risk in RISK_COLOURS:
                folium.CircleMarker(
                    spot, radius=17, color=RISK_COLOURS[risk], weight=3, fill=False
                ).add_to(fmap)
            folium.Marker(
                spot,
                icon=_stop_icon(order, PRIORITY_COLOURS.get(stop["priority"], "#6b7280"), colour),
                tooltip=_tip(
                    f"{order}. #{stop['number']} {stop['priority']} "
                    f"{stop['deviceType']} · ETA {_ist(stop['eta'])} IST · SLA {risk}"
                    f" · {route['technician']}"
                ),
            ).add_to(fmap)
    for job in plan["unassigned"]:
        if job["lat"]:
            folium.CircleMarker(
                (job["lat"], job["lng"]),
                radius=9,
                color="#6b7280",
                dash_array="4",
                fill=True,
                fill_color=PRIORITY_COLOURS.get(job["priority"], "#6b7280"),
                fill_opacity=0.4,
                tooltip=_tip(f"#{job['number']} left out: {job['reason']}"),
            ).add_to(fmap)
    swatches = " ".join(
        f'<span style="color:{c}">&#9679; {p}</span>' for p, c in PRIORITY_COLOURS.items()
    )
    fmap.get_root().html.add_child(folium.Element(LEGEND.format(priorities=swatches)))
    if len(points) > 1:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ],
            padding=(30, 30),
        )
    return fmap.get_root().render()


TECH_COLOURS = {"available": "#15803d", "busy": "#f59e0b"}


def _drawable(route: dict) -> bool:
    """A route with a start and a place for every stop (plans written before routes
    carried them are listed, not drawn)."""
    places = [route.get("start") or {}, *route["stops"]]
    return all(p.get("lat") is not None and p.get("lng") is not None for p in places)


def field_map(view: dict) -> str:
    """The control room's map: open tickets by priority, ringed when late or at risk;
    technicians (green free, amber busy, grey off); hubs; the latest plan's routes."""
    points = [(t["lat"], t["lng"]) for t in view["tickets"]]
    points += [(t["lat"], t["lng"]) for t in view["technicians"]]
    fmap = _map(points[0] if points else INDIA, 11 if points else 5)
    for hub in view["hubs"]:
        if hub.get("hubLatitude") is not None:
            folium.Marker(
                (hub["hubLatitude"], hub["hubLongitude"]),
                tooltip=_tip(f"{hub['name']} (hub, {hub['hubPincode']})"),
                icon=folium.DivIcon(
                    html='<div style="font-size:22px;color:#111827">&#9873;</div>',
                    icon_size=(24, 24),
                    icon_anchor=(6, 22),
                ),
            ).add_to(fmap)
    for k, route in enumerate(r for r in view["routes"] if r["stops"] and _drawable(r)):
        line = [(route["start"]["lat"], route["start"]["lng"])]
        line += [(s["lat"], s["lng"]) for s in route["stops"]]
        folium.PolyLine(
            line,
            color=ROUTE_COLOURS[k % len(ROUTE_COLOURS)],
            weight=3,
            opacity=0.6,
            tooltip=_tip(f"{route['technician']} ({view['planStatus']} plan)"),
        ).add_to(fmap)
    for tech in view["technicians"]:
        colour = TECH_COLOURS.get(tech["status"], "#6b7280")
        folium.Marker(
            (tech["lat"], tech["lng"]),
            tooltip=_tip(f"{tech['name']} · {tech['status']} · {', '.join(tech['skills'][:4])}"),
            icon=folium.DivIcon(
                html=f'<div style="width:9px;height:9px;border-radius:2px;'
                f"background:{colour};border:1.5px solid white;"
                'box-shadow:0 0 2px rgba(0,0,0,.6)"></div>',
                # beside the spot, not on it: a ticket at the hub stays visible
                icon_size=(12, 12),
                icon_anchor=(-6, -2),
            ),
        ).add_to(fmap)
    for ticket in view["tickets"]:
        spot = (ticket["lat"], ticket["lng"])
        if ticket["risk"] in RISK_COLOURS:
            folium.CircleMarker(
                spot, radius=13, color=RISK_COLOURS[ticket["risk"]], weight=3, fill=False
            ).add_to(fmap)
        who = f" · {ticket['technician']}" if ticket["technician"] else " · unassigned"
        folium.CircleMarker(
            spot,
            radius=8,
            color="white",
            weight=1,
            fill=True,
            fill_opacity=0.95,
            fill_color=PRIORITY_COLOURS.get(ticket["priority"], "#6b7280"),
            tooltip=_tip(
                f"#{ticket['number']} {ticket['priority']} {ticket['status']} · "
                f"SLA {ticket['risk']} · {ticket['facility']}{who}"
            ),
        ).add_to(fmap)
    swatches = " ".join(
        f'<span style="color:{c}">&#9679; {p}</span>' for p, c in PRIORITY_COLOURS.items()
    )
    fmap.get_root().html.add_child(
        folium.Element(
            LEGEND.format(priorities=swatches).replace(
                "&#9679; technician (grey: idle) · numbers: stop order",
                '<span style="display:inline-block;width:9px;height:9px;border-radius:2px;'
                'background:#15803d"></span> technician (green free, amber busy, grey off)',
            )
        )
    )
    if len(points) > 1:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ],
            padding=(30, 30),
        )
    return fmap.get_root().render()


FAILURE_RISK_COLOURS = {"high": "#dc2626", "watch": "#ea580c", "low": "#16a34a"}


def fleet_map(devices: list[dict]) -> str:
    """The fleet health map: each device with a known site as a dot coloured by its failure
    risk (red high, orange watch, green low, grey not scored), ringed when it has open
    alarms; `devices` as `services.telemetry.fleet.fleet_health` lists them."""
    placed = [d for d in devices if d.get("lat") is not None and d.get("lng") is not None]
    # Riskiest drawn last, so a device at risk is never hidden under a healthy one on site.
    placed.sort(key=lambda d: -1.0 if d.get("probability") is None else d["probability"])
    fmap = _map((placed[0]["lat"], placed[0]["lng"]) if placed else INDIA, 11 if placed else 5)
    for d in placed:
        spot = (d["lat"], d["lng"])
        if d.get("openAlarms"):
            folium.CircleMarker(spot, radius=13, color="#dc2626", weight=3, fill=False).add_to(fmap)
        chance = "not scored" if d.get("probability") is None else f"{100 * d['probability']:.0f}%"
        folium.CircleMarker(
            spot,
            radius=8,
            color="white",
            weight=1,
            fill=True,
            fill_opacity=0.95,
            fill_color=FAILURE_RISK_COLOURS.get(d.get("risk", ""), "#6b7280"),
            tooltip=_tip(
                f"{d['serial']} · {d['model']} · failure risk {chance} · "
                f"{d.get('openAlarms', 0)} open alarm(s) · {d.get('site', '')}"
            ),
        ).add_to(fmap)
    if len(placed) > 1:
        fmap.fit_bounds(
            [
                [min(d["lat"] for d in placed), min(d["lng"] for d in placed)],
                [max(d["lat"] for d in placed), max(d["lng"] for d in placed)],
            ],
            padding=(30, 30),
            max_zoom=13,
        )
    return fmap.get_root().render()
