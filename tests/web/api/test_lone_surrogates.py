"""A lone surrogate echoed from a refused input never turns a 4xx into a 500: it is written as its JSON escape."""
from __future__ import annotations

import json

from jimu.web.api.problems import problem_response
from jimu.web.api.serialize import json_response


def test_a_problem_quoting_a_lone_surrogate_is_valid_json() -> None:
    response = problem_response({"status": 422, "code": "value.not_option", "detail": "'\ud800' is not an option"})
    assert response.status_code == 422
    assert json.loads(response.body)["detail"] == "'\ud800' is not an option"


def test_a_body_with_a_lone_surrogate_keeps_it() -> None:
    response = json_response({"echo": "a\udfffb", "ok": "好"})
    assert json.loads(response.body) == {"echo": "a\udfffb", "ok": "好"}
    assert "好".encode() in response.body
