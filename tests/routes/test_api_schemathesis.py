"""Property-based run of the whole API against its own OpenAPI document (schemathesis through
the WSGI app, with a valid token): no 5xx, and every response conforms to the document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from kotaku_collab.models import Role
from kotaku_collab.services.api_tokens import create_token
from tests import factories
from tests.routes.test_api import scene  # noqa: F401  (the fixture)

#: Examples per operation: enough to vary every parameter a little, small enough for < 60 s.
EXAMPLES = 15
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


def test_the_api_conforms_to_its_openapi_document(app, db, scene):  # noqa: F811
    user = factories.make_user(Role.ORGANISER, regions=["51.05"])
    secret = create_token(db.session, user, name="schemathesis").secret
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    ran, statuses = [], {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            statuses.setdefault(operation.label, set()).add(response.status_code)
            case.validate_response(response, checks=CHECKS)

        run()
        ran.append(operation.label)
    # Every operation that needs a token (schemathesis leaves out the public document's own).
    assert len(ran) == 11, ran
    assert {200, 400} <= statuses["GET /workshops"] and 200 in statuses["GET /summary"]
