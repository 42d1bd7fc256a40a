"""What the OpenAPI schema says about errors: one shared error body and every status the API answers.

drf-spectacular documents each operation's success answer from its serializer; the error answers
come from the kernel (the exception handler in `phb/exceptions.py`, the access mixins, the request
limits) and are the same for every operation, so they are added here once, by a postprocessing hook,
rather than repeated on ~100 views. A generated client then knows every answer it can get:

- 400 for any operation (bad input in the body, the query or the path: field -> messages, or
  `{"detail"}`);
- 401 for any operation that needs credentials; 403 for a member whose role does not allow it;
- 404 for any operation under an organisation or with an id in its path, and for a page past the
  last of a list;
- 409 for any write (a state change not allowed now, an overspend, an idempotency key reused);
- 413 for any operation with a body (over the size limit).
"""

ERROR = "Error"
FIELD_ERRORS = "FieldErrors"

ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong, in plain English.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Invalid input: each field (or `non_field_errors`) maps to a list of messages; "
        "a problem with the request as a whole is `detail`."
    ),
    "additionalProperties": {},
}

DESCRIPTIONS = {
    "400": "Invalid input",
    "401": "No credentials, or the token has expired or was revoked",
    "403": "A member whose role does not allow this",
    "404": "Not found, or in an organisation you are not a member of",
    "409": "Not allowed in the current state",
    "413": "The request body is too large",
}
WRITES = {"post", "put", "patch", "delete"}


def _reference(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _needs_credentials(operation: dict, default_security: list) -> bool:
    security = operation.get("security", default_security)
    return bool(security) and {} not in security


def error_statuses(method: str, path: str, operation: dict, default_security: list) -> list[str]:
    """The error statuses an operation can answer, by the rules in the module's docstring."""
    statuses = ["400"]
    if _needs_credentials(operation, default_security):
        statuses += ["401", "403"]
    paginated = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
    if "{" in path or paginated:  # a page past the last is a 404 too
        statuses.append("404")
    if method in WRITES:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("413")
    return statuses


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the shared error components and each operation's errors."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR] = ERROR_SCHEMA
    schemas[FIELD_ERRORS] = FIELD_ERRORS_SCHEMA
    default_security = result.get("security", [])
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_statuses(method, path, operation, default_security):
                responses.setdefault(
                    code,
                    {
                        "description": DESCRIPTIONS[code],
                        "content": _reference(FIELD_ERRORS if code == "400" else ERROR),
                    },
                )
    return result
