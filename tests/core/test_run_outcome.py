"""A failed run in one plain sentence with what to do next."""

from __future__ import annotations

from typing import Any

from ouro_desktop.api.models import Action
from ouro_desktop.core.run_outcome import failure_sentence


def _failed(response: Any) -> Action:
    return Action.from_json({"id": "a", "route_id": "r", "status": "error", "response": response})


def test_each_kind_of_failure_says_what_to_do() -> None:
    refused = _failed({"statusCode": 422, "error": {"message": "unknown element 'Xx'"}})
    assert failure_sentence("error", action=refused) == (
        "Unknown element 'Xx'. Change the inputs and run again."
    )
    assert failure_sentence("error", action=refused, fields={"formula": "Formula"}) == (
        "Unknown element 'Xx'. Fix the marked field (“Formula”) and run again."
    )
    down = _failed({"statusCode": 503, "error": {"message": "The model server is down"}})
    assert failure_sentence("error", action=down).endswith("run it again in a moment.")
    broken = _failed({"statusCode": 500, "error": {"message": "boom", "retryable": False}})
    assert failure_sentence("error", action=broken) == (
        "Boom. The service had a problem; try again later."
    )
    assert failure_sentence("error", detail="no action known") == (
        "No action known. Check the inputs and run again; the Errors tab of the run has details."
    )
    assert "nothing was charged" in failure_sentence("timed_out")
    assert failure_sentence("not-started").endswith("Press Run to send it again.")
    assert failure_sentence("error").startswith("The run failed.")
