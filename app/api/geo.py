"""Indian geography routes: pincodes, the facility and laboratory directory, service areas
and coverage, and the directory's maps."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.contract import page_limit, page_offset
from app.api.deps import current_actor, download_actor, require_roles
from services.actor import Actor, Role
from services.common.roles import SERVICE_PLANNERS
from services.db import tenant_session
from services.errors import Invalid
from services.geo import coverage, directory
from services.geo.coverage import MAX_AREA_RADIUS_KM
from services.geo.importer import MAX_BYTES, import_directory
from services.geo.pincodes import get_pincode
from services.maps import directory_map, service_area_map
from services.uploads import body_limit, megabytes, read_file

router = APIRouter(prefix="/geo", tags=["geo"])


@router.get("/pincodes/{pincode}", summary="Location of a pincode")
def pincode(pincode: str, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        row = get_pincode(db, pincode)
        return {
            "pincode": row.pincode,
            "city": row.city,
            "state": row.state,
            "district": row.district,
            "latitude": row.latitude,
            "longitude": row.longitude,
        }


@router.get(
    "/healthcare-facilities/nearby",
    summary="Facilities within a radius (km) of a point, nearest first",
)
def nearby(
    latitude: str = Query(..., max_length=20, description="degrees, 6 to 38"),
    longitude: str = Query(..., max_length=20, description="degrees, 68 to 98"),
    radius: str = Query("10", max_length=20, description="kilometres, above 0 and at most 200"),
    limit: str = Query("20", max_length=10, description="1 to 200"),
    facilityType: str = Query("all", max_length=40),  # noqa: N803
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        found = directory.nearby_facilities(db, latitude, longitude, radius, limit, facilityType)
    return {"facilities": found}


@router.get("/healthcare-facilities", summary="Browse the directory with filters, paged")
def browse(
    q: str | None = Query(None, max_length=100),
    city: str | None = Query(None, max_length=120),
    state: str | None = Query(None, max_length=80),
    facilityType: str | None = Query(None, max_length=40),  # noqa: N803
    accreditation: str | None = Query(None, max_length=40),
    limit: int = page_limit(50, 200),
    offset: int = page_offset(),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        rows, total = directory.search_directory(
            db,
            q=q,
            city=city,
            state=state,
            facility_type=facilityType,
            accreditation=accreditation,
            limit=limit,
            offset=offset,
        )
    return {"facilities": rows, "total": total, "limit": limit, "offset": offset}


@router.get(
    "/healthcare-facilities/{facility_id}",
    summary="One facility with its equipment, laboratories and registered devices",
)
def facility(facility_id: str, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return directory.facility_detail(db, facility_id)


@router.get(
    "/laboratories/by-tests",
    summary="Laboratories offering every test category asked, near a pincode",
)
def labs_by_tests(
    testCategories: list[str] = Query(  # noqa: N803
        ..., description='JSON array (["pathology","radiology"]) or a,b'
    ),
    pincode: str = Query(..., max_length=12),
    radius: str = Query("5", max_length=20, description="kilometres"),
    limit: str = Query("50", max_length=10),
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return {
            "laboratories": directory.laboratories_by_tests(
                db, testCategories, pincode, radius, limit
            )
        }


class CoverageBody(BaseModel):
    pincode: str = Field(..., max_length=12)
    deviceType: str = Field(..., max_length=60)  # noqa: N815
    serviceProviderId: uuid.UUID | None = None  # noqa: N815


@router.post(
    "/service-areas/coverage",
    summary="Is a pincode covered for a device type, by which hub, how fast",
)
def check_coverage(body: CoverageBody, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return coverage.check_coverage(db, body.pincode, body.deviceType, body.serviceProviderId)


@router.get("/service-areas", summary="Service hubs, of one provider or all")
def service_areas(
    providerId: uuid.UUID | None = None,  # noqa: N803
    actor: Actor = Depends(current_actor),
) -> dict:
    with tenant_session(actor) as db:
        return {"serviceAreas": coverage.list_service_areas(db, providerId)}


class AreaBody(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False)

    name: str = Field(..., min_length=2, max_length=120)
    hubPincode: str = Field(..., max_length=12)  # noqa: N815
    maxResponseTimeHours: float = Field(gt=0, le=72)  # noqa: N815
    radiusKm: float | None = Field(None, gt=0, le=MAX_AREA_RADIUS_KM)  # noqa: N815
    pincodes: list[str] = Field(default_factory=list, max_length=5000)


@router.post("/service-areas", status_code=201, summary="Create a hub of your organisation")
def create_area(body: AreaBody, actor: Actor = Depends(require_roles(*SERVICE_PLANNERS))) -> dict:
    with tenant_session(actor) as db:
        area = coverage.save_service_area(
            db,
            actor,
            name=body.name,
            hub_pincode=body.hubPincode,
            radius_km=body.radiusKm,
            max_response_time_hours=body.maxResponseTimeHours,
            pincodes=body.pincodes,
        )
        return coverage.area_detail(db, area.id)


@router.put("/service-areas/{area_id}", summary="Change a hub of your organisation")
def update_area(
    area_id: uuid.UUID, body: AreaBody, actor: Actor = Depends(require_roles(*SERVICE_PLANNERS))
) -> dict:
    with tenant_session(actor) as db:
        area = coverage.save_service_area(
            db,
            actor,
            name=body.name,
            hub_pincode=body.hubPincode,
            radius_km=body.radiusKm,
            max_response_time_hours=body.maxResponseTimeHours,
            pincodes=body.pincodes,
            area_id=area_id,
        )
        return coverage.area_detail(db, area.id)


@router.get("/service-areas/{area_id}", summary="One hub with its pincodes and technicians")
def area(area_id: uuid.UUID, actor: Actor = Depends(current_actor)) -> dict:
    with tenant_session(actor) as db:
        return coverage.area_detail(db, area_id)


class TechnicianBody(BaseModel):
    technicianId: uuid.UUID  # noqa: N815
    specialties: list[str] = Field(..., max_length=40)
    status: str = "available"
    shift: str = "09:00-18:00"


@router.put(
    "/service-areas/{area_id}/technicians",
    summary="Map a technician to a hub with device skills and availability",
)
def map_technician(
    area_id: uuid.UUID,
    body: TechnicianBody,
    actor: Actor = Depends(require_roles(*SERVICE_PLANNERS)),
) -> dict:
    with tenant_session(actor) as db:
        coverage.map_technician(
            db, actor, area_id, body.technicianId, body.specialties, body.status, body.shift
        )
        return coverage.area_detail(db, area_id)


@router.delete("/service-areas/{area_id}", status_code=204, summary="Remove a hub")
def delete_area(
    area_id: uuid.UUID, actor: Actor = Depends(require_roles(*SERVICE_PLANNERS))
) -> Response:
    with tenant_session(actor) as db:
        coverage.delete_service_area(db, actor, area_id)
    return Response(status_code=204)


@router.post(
    "/directory/import",
    summary="Import a facility directory CSV (platform admins)",
    description=f"A CSV file of at most {megabytes(MAX_BYTES)}; a larger request is "
    "refused with 413 while it streams.",
    max_body_size=body_limit(MAX_BYTES),
)
def import_csv(
    file: UploadFile = File(...), actor: Actor = Depends(require_roles(Role.PLATFORM_ADMIN))
) -> dict:
    data = read_file(file.file, MAX_BYTES, "directory file")
    if not data:
        raise Invalid("file", "is empty")
    with tenant_session(actor) as db:
        return import_directory(db, actor, data).as_json()


@router.get("/maps/directory", response_class=HTMLResponse, include_in_schema=False)
def directory_map_page(
    q: str | None = None,
    city: str | None = None,
    state: str | None = None,
    facilityType: str | None = None,  # noqa: N803
    accreditation: str | None = None,
    actor: Actor = Depends(download_actor),
) -> HTMLResponse:
    with tenant_session(actor) as db:
        points = directory.directory_points(
            db, q=q, city=city, state=state, facility_type=facilityType, accreditation=accreditation
        )
    return HTMLResponse(directory_map(points), headers={"Cache-Control": "private, max-age=60"})


@router.get("/maps/service-areas/{area_id}", response_class=HTMLResponse, include_in_schema=False)
def service_area_map_page(
    area_id: uuid.UUID, probe: str | None = None, actor: Actor = Depends(download_actor)
) -> HTMLResponse:
    with tenant_session(actor) as db:
        detail = coverage.area_detail(db, area_id)
        spot = get_pincode(db, probe) if probe else None
    return HTMLResponse(service_area_map(detail, spot))
