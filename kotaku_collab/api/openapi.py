"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand as a dict, next to the serialisers in services/api_resources.py; the tests
validate it (openapi-spec-validator) and check every endpoint's real responses against it
(jsonschema), so the two cannot drift apart. Enum values come from the models.
"""

from __future__ import annotations

from kotaku_collab.models import (AttendanceStatus, Aspect, Cadence, CommitmentStatus,
                                  CommitmentType, FundingSource, Gender, IndicatorKind,
                                  MechanismType, OrganiserRole, ParticipantRole, RegionLevel,
                                  RegistrationStatus, Scale, Sector, SessionType,
                                  VerificationDecision, WorkshopKind, WorkshopStatus)
from kotaku_collab.services.api_resources import DEFAULT_PER_PAGE, MAX_PER_PAGE

MAX_ID = 2**31 - 1


def _values(enum_cls) -> list[str]:
    return [m.value for m in enum_cls]


def ref(name: str) -> dict:
    """A $ref to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """`schema` or null."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    out = {**schema, "type": [kind, "null"]}
    if "enum" in schema:
        out["enum"] = [*schema["enum"], None]
    return out


def obj(properties: dict, optional: tuple = ()) -> dict:
    """An object with exactly these properties, all required except `optional`."""
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": [k for k in properties if k not in optional]}


def enum(enum_cls) -> dict:
    """A string schema with the enum's values."""
    return {"type": "string", "enum": _values(enum_cls)}


def counts(enum_cls) -> dict:
    """An object with a count for every value of the enum."""
    return obj({m.value: INT for m in enum_cls})


STR = {"type": "string"}
INT = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
BOOL = {"type": "boolean"}
NUM = {"type": "number"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1}


def list_of(item: str) -> dict:
    """A page of `item`s with meta and links."""
    return obj({"data": {"type": "array", "items": ref(item)}, "meta": ref("PageMeta"),
                "links": ref("PageLinks")})


REGION_REF = obj({"code": STR, "name": STR, "level": enum(RegionLevel)})
ORGANISATION_REF = obj({"id": ID, "name": STR, "short_name": nullable(STR),
                        "sector": enum(Sector)})
PERSON_REF = obj({"name": STR, "position": nullable(STR)})

WORKSHOP = {
    "id": ID, "code": STR, "title": STR, "kind": enum(WorkshopKind),
    "status": enum(WorkshopStatus), "region": ref("RegionRef"), "venue": STR,
    "starts_at": DATETIME, "ends_at": DATETIME,
    "timezone": {"type": "string", "description": "IANA zone of the workshop's region"},
    "capacity": COUNT, "seats_taken": COUNT,
    "registration_opens_at": nullable(DATETIME), "registration_closes_at": nullable(DATETIME),
}
WORKSHOP_DETAIL = {
    **WORKSHOP,
    "objectives": {"type": "array", "items": STR},
    "organisers": {"type": "array", "items": obj({"organisation": ref("OrganisationRef"),
                                                  "role": enum(OrganiserRole)})},
    "previous_id": nullable(ID), "cancel_reason": nullable(STR),
    "rescheduled_at": nullable(DATETIME), "data_note": nullable(STR),
}
AGENDA_ITEM = obj({"id": ID, "position": INT, "starts_at": DATETIME, "ends_at": DATETIME,
                   "title": STR, "session_type": enum(SessionType),
                   "moderator": nullable(ref("PersonRef")),
                   "speakers": {"type": "array", "items": ref("PersonRef")}})
PERSONAL_FIELDS = ("name", "position", "organisation", "phone", "email")
REGISTRATION = obj({
    "id": ID, "sector": enum(Sector), "role": enum(ParticipantRole),
    "status": enum(RegistrationStatus), "waitlist_position": nullable(INT),
    "attendance": nullable(enum(AttendanceStatus)), "gender": nullable(enum(Gender)),
    "self_registered": BOOL, "created_at": DATETIME,
    "name": {"type": "string", "description": "Only with participant.view_personal"},
    "position": nullable(STR), "organisation": nullable(ref("OrganisationRef")),
    "phone": nullable(STR), "email": nullable(STR),
}, optional=PERSONAL_FIELDS)
TALLY = {"registered": COUNT, "attended": COUNT}
REGISTRATION_AGGREGATES = obj({
    "by_sector": {"type": "array", "items": obj({"sector": enum(Sector), **TALLY})},
    "by_gender": {"type": "array", "items": obj({"gender": nullable(enum(Gender)), **TALLY})},
    "by_status": counts(RegistrationStatus),
})
ISSUE = obj({"id": ID, "workshop_id": ID, "title": STR, "description": nullable(STR),
             "location": nullable(ref("RegionRef")),
             "proposed_by": nullable(ref("OrganisationRef")),
             "priority": {"type": "integer", "minimum": 1, "maximum": 3},
             "vote_rank": nullable(INT), "vote_count": COUNT, "agreed": BOOL,
             "aspects": {"type": "array", "items": enum(Aspect)}, "is_example": BOOL})
MECHANISM = obj({"id": ID, "workshop_id": ID, "type": enum(MechanismType), "name": STR,
                 "description": nullable(STR),
                 "lead_organisation": nullable(ref("OrganisationRef")),
                 "members": {"type": "array", "items": ref("OrganisationRef")},
                 "cadence": enum(Cadence), "next_meeting_on": nullable(DATE),
                 "legal_basis": nullable(STR), "contact_channel": nullable(STR),
                 "meetings": {"type": "array", "items": obj({"held_on": DATE})},
                 "is_example": BOOL})
AGREEMENT_POINT = obj({"id": ID, "workshop_id": ID, "number": ID, "text": STR,
                       "issue_ids": {"type": "array", "items": ID},
                       "organisations": {"type": "array", "items": ref("OrganisationRef")},
                       "is_example": BOOL})
COMMITMENT_UPDATE = obj({"id": ID, "reported_on": DATE, "status": enum(CommitmentStatus),
                         "percent_complete": {"type": "integer", "minimum": 0, "maximum": 100},
                         "narrative": nullable(STR),
                         "verification_state": nullable(enum(VerificationDecision)),
                         "created_at": DATETIME})
COMMITMENT = obj({
    "id": ID, "title": STR, "description": nullable(STR), "type": enum(CommitmentType),
    "aspect": nullable(enum(Aspect)), "scale": nullable(enum(Scale)), "sector": enum(Sector),
    "organisation": ref("OrganisationRef"),
    "workshop": nullable(obj({"id": ID, "title": STR})),
    "region": ref("RegionRef"), "location": nullable(ref("RegionRef")),
    "location_text": nullable(STR), "volume": nullable(NUM), "unit": nullable(STR),
    "amount_idr": nullable({"type": "integer", "minimum": 0, "description": "whole rupiah"}),
    "funding_source": nullable(enum(FundingSource)), "fiscal_year": nullable(INT),
    "target_date": nullable(DATE), "document_ref": nullable(STR),
    "integrated_into": nullable(STR), "status": enum(CommitmentStatus),
    "percent_complete": {"type": "integer", "minimum": 0, "maximum": 100},
    "last_update_at": nullable(DATETIME), "is_example": BOOL, "created_at": DATETIME,
    "updates": {"type": "array", "items": ref("CommitmentUpdate"),
                "description": "Progress updates, oldest first"},
})
INDICATOR = obj({"id": ID, "region": ref("RegionRef"), "year": INT, "kind": enum(IndicatorKind),
                 "value": NUM, "source": STR, "note": nullable(STR), "is_example": BOOL})
SUMMARY = obj({
    "filters": {"type": "object", "additionalProperties": STR,
                "description": "The filters applied (province, kabkota, start, end, kind)"},
    "workshops": obj({"total": COUNT, "by_status": counts(WorkshopStatus),
                      "by_kind": counts(WorkshopKind)}),
    "participants": obj({"confirmed": COUNT, "attended": COUNT}),
    "outcomes": obj({"issues": COUNT, "mechanisms": COUNT, "agreement_points": COUNT}),
    "commitments": obj({"total": COUNT, "amount_idr": COUNT, "by_status": counts(CommitmentStatus),
                        "by_sector": counts(Sector)}),
})
ERROR = obj({"error": obj({"code": STR, "message": STR})})

SCHEMAS = {
    "Error": ERROR,
    "PageMeta": obj({"page": ID, "per_page": {"type": "integer", "minimum": 1,
                                              "maximum": MAX_PER_PAGE}, "total": COUNT}),
    "PageLinks": obj({"self": STR, "next": nullable(STR), "prev": nullable(STR)}),
    "RegionRef": REGION_REF,
    "OrganisationRef": ORGANISATION_REF,
    "PersonRef": PERSON_REF,
    "Workshop": obj(WORKSHOP),
    "WorkshopDetail": obj(WORKSHOP_DETAIL),
    "WorkshopList": list_of("Workshop"),
    "AgendaItem": AGENDA_ITEM,
    "AgendaList": list_of("AgendaItem"),
    "Registration": REGISTRATION,
    "RegistrationAggregates": REGISTRATION_AGGREGATES,
    "RegistrationList": obj({
        "workshop_id": ID,
        "personal_data": {"type": "boolean", "description":
                          "True when the rows carry names, organisations, phones and e-mails"},
        "aggregates": ref("RegistrationAggregates"),
        "data": {"type": "array", "items": ref("Registration")},
        "meta": ref("PageMeta"), "links": ref("PageLinks")}),
    "Issue": ISSUE,
    "IssueList": list_of("Issue"),
    "Mechanism": MECHANISM,
    "MechanismList": list_of("Mechanism"),
    "AgreementPoint": AGREEMENT_POINT,
    "AgreementPointList": list_of("AgreementPoint"),
    "CommitmentUpdate": COMMITMENT_UPDATE,
    "Commitment": COMMITMENT,
    "CommitmentList": list_of("Commitment"),
    "Indicator": INDICATOR,
    "IndicatorList": obj({"region": ref("RegionRef"),
                          "data": {"type": "array", "items": ref("Indicator")},
                          "meta": ref("PageMeta"), "links": ref("PageLinks")}),
    "Summary": SUMMARY,
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


PAGE_PARAMS = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 999999999, "default": 1},
           "Page number; a page past the end gives an empty list"),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                        "default": DEFAULT_PER_PAGE}, "Rows per page"),
]
REVIEW_PARAMS = [
    _query("province", {"type": "string", "maxLength": 13}, "Province code, e.g. 51"),
    _query("kabkota", {"type": "string", "maxLength": 13}, "Regency/city code, e.g. 51.05"),
    _query("start", DATE, "First day of the period (local dates)"),
    _query("end", DATE, "Last day of the period; not before start"),
    _query("kind", enum(WorkshopKind), "Workshop kind"),
]
ORGANISATION_PARAM = _query("organisation", {"type": "integer", "minimum": 1,
                                             "maximum": 999999999},
                            "Organisation id (organiser of the workshop, or committing)")


def _status(enum_cls) -> dict:
    return _query("status", enum(enum_cls), "Status")


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": ref(schema_name)}}}


def _errors(*codes: int) -> dict:
    texts = {400: "A parameter has a bad value", 401: "Missing, unknown, revoked or expired token",
             403: "The token's user may not read this", 404: "No such object in the user's scope"}
    return {str(c): _json("Error", texts[c]) for c in codes}


def _get(operation_id: str, summary: str, schema: str, parameters=(), errors=(400, 401, 403),
         description: str | None = None) -> dict:
    operation = {"operationId": operation_id, "summary": summary,
                 "parameters": list(parameters),
                 "responses": {"200": _json(schema, "OK"), **_errors(*errors)}}
    if description:
        operation["description"] = description
    return {"get": operation}


def _paths() -> dict:
    workshop_path = [_path_id("workshop_id")]
    return {
        "/workshops": _get("listWorkshops", "Workshops in the user's regions", "WorkshopList",
                           [*PAGE_PARAMS, *REVIEW_PARAMS, _status(WorkshopStatus),
                            ORGANISATION_PARAM]),
        "/workshops/{workshop_id}": _get("getWorkshop", "One workshop", "WorkshopDetail",
                                         workshop_path, (401, 404)),
        "/workshops/{workshop_id}/agenda": _get(
            "listAgenda", "The workshop's agenda (susunan acara)", "AgendaList",
            [*workshop_path, *PAGE_PARAMS], (400, 401, 404)),
        "/workshops/{workshop_id}/registrations": _get(
            "listRegistrations", "Registrations with counts by sector, gender and status",
            "RegistrationList", [*workshop_path, *PAGE_PARAMS, _status(RegistrationStatus)],
            (400, 401, 404),
            "Names, positions, organisations, phone numbers and e-mail addresses are included "
            "only for organisers of the workshop's region and administrators "
            "(participant.view_personal); others get the counts and rows without them."),
        "/workshops/{workshop_id}/issues": _get(
            "listIssues", "Strategic issues, in ranked order", "IssueList",
            [*workshop_path, *PAGE_PARAMS], (400, 401, 404)),
        "/workshops/{workshop_id}/mechanisms": _get(
            "listMechanisms", "Coordination mechanisms", "MechanismList",
            [*workshop_path, *PAGE_PARAMS], (400, 401, 404)),
        "/workshops/{workshop_id}/agreement-points": _get(
            "listAgreementPoints", "Agreement points (kesepakatan), by number",
            "AgreementPointList", [*workshop_path, *PAGE_PARAMS], (400, 401, 404)),
        "/commitments": _get(
            "listCommitments", "Commitments with their progress updates", "CommitmentList",
            [*PAGE_PARAMS, *REVIEW_PARAMS, _status(CommitmentStatus), ORGANISATION_PARAM,
             _query("workshop", {"type": "integer", "minimum": 1, "maximum": 999999999},
                    "Made at this workshop")]),
        "/commitments/{commitment_id}": _get(
            "getCommitment", "One commitment with its progress updates", "Commitment",
            [_path_id("commitment_id")], (401, 404)),
        "/regions/{code}/indicators": _get(
            "listRegionIndicators", "100-0-100 figures of a region and the regions below it",
            "IndicatorList",
            [{"name": "code", "in": "path", "required": True,
              "schema": {"type": "string", "maxLength": 13}, "description": "e.g. 51.05"},
             *PAGE_PARAMS, _query("kind", enum(IndicatorKind), "Indicator"),
             _query("year", {"type": "integer", "minimum": 1900, "maximum": 2200}, "Year")],
            (400, 401, 403, 404)),
        "/summary": _get("getSummary", "Counts over the workshops and commitments in view",
                         "Summary", REVIEW_PARAMS),
        "/openapi.json": {"get": {
            "operationId": "getOpenApi", "summary": "This document (no token needed)",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    }


def openapi_document() -> dict:
    """The whole document (a new dict each call)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KOTAKU Collab API", "version": "1.0.0",
            "description": "Read-only JSON API. Create a personal token under /account/tokens "
                           "and send it as `Authorization: Bearer <token>`. The token reads "
                           "what its user may read: the same regions and permissions.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token (kc_…)"}},
            "schemas": SCHEMAS,
        },
    }
