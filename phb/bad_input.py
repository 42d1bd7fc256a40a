"""Bad input refused in the request path, before any view: JSON depth, NUL characters, body size.

API.md, "Bad input, always a 4xx with a JSON body": JSON nested deeper than 64 levels, a NUL
character anywhere in the path, query or body (uploaded file names included) and a body over the
size limit are refused with a message, and nothing is stored. They are refused here once, for
every endpoint and page, rather than in each view: `BadInputMiddleware` screens every request
(so an endpoint that never reads its body refuses such a body too), and the API's parsers
(`JSONParser`, and `MultiPartParserWithLimits` for the endpoints that take a file) apply the same
limits to whatever DRF parses. An API multipart body is left to the endpoint's parser, so that an
endpoint taking none still answers 415.

Why these three: Python's JSON decoder recurses, so very deep JSON is a RecursionError (a 500);
PostgreSQL's text types cannot hold NUL ("text fields cannot contain NUL"), so a NUL reaching a
query or a row is a 500; and Django refuses a large body with an HTML 400 that an API client
cannot read.
"""

from __future__ import annotations

import html
import re
from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .serializers import JSONArray, JSONObject

MAX_JSON_DEPTH = 64
# A multipart body carries files (a receipt is at most 5 MB, payments/receipts.py); any other body
# is held in memory and is limited by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default).
MAX_UPLOAD_BODY_BYTES = 10 * 1024 * 1024

DEEP_JSON = f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep."
NUL_IN_TEXT = "Text may not contain the NUL character (\\u0000 or %00)."
NUL_IN_PATH = "Not found."  # as for any unknown URL (phb/errors.py)
MALFORMED_FORM = "The form data could not be read."

# A JSON string with its escapes, or an unterminated one running to the end: every quote starts a
# match, and the unrolled loop never backtracks, so one pass over any input, however malformed.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
# \u0000 that is an escape (after an even number of backslashes, none included), not the text "\\u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_OPEN, _CLOSE = frozenset(b"[{"), frozenset(b"]}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects more than `limit` deep, found without parsing it
    (brackets inside strings do not count), so that no recursion limit is ever reached."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # most bodies: too few brackets to nest that deep
        return False
    brackets = _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        elif byte in _CLOSE:
            depth -= 1
    return False


def json_problem(raw: bytes) -> str | None:
    """What makes a JSON body unacceptable before it is parsed, or None."""
    if b"\x00" in raw or _NUL_ESCAPE.search(raw):
        return NUL_IN_TEXT
    if json_depth_exceeds(raw):
        return DEEP_JSON
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the same limits (the API's default JSON parser, in settings), whose
    objects and arrays say they came from JSON."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        problem = json_problem(raw)
        if problem:
            raise ParseError(problem)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = raw.decode(encoding)
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant, object_pairs_hook=JSONObject)
        except ValueError as error:  # UnicodeDecodeError is a ValueError too
            raise ParseError(f"JSON parse error - {error}") from error
        # Marked as JSON, so that the API's fields take its values only as the schema types them
        # (phb/serializers.py).
        return JSONArray(data) if isinstance(data, list) else data


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _refuse(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "400.html", {"message": message, "status": status}, status=status)


def _has_nul(pairs) -> bool:
    return any(
        "\x00" in key or any(isinstance(value, str) and "\x00" in value for value in values)
        for key, values in pairs
    )


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class _NulInUpload(MultiPartParserError):
    pass


class _MultiPartParser(MultiPartParser):
    """Django's multipart parser, refusing a NUL in a field or a file's name (Django itself silently
    drops non-printable characters from file names)."""

    def sanitize_file_name(self, file_name):
        if "\x00" in file_name or "\x00" in html.unescape(file_name):
            raise _NulInUpload(NUL_IN_TEXT)
        return super().sanitize_file_name(file_name)

    def parse(self):
        fields, files = super().parse()
        if _has_nul(fields.lists()) or _has_nul(files.lists()):
            raise _NulInUpload(NUL_IN_TEXT)
        return fields, files


class MultiPartParserWithLimits(parsers.MultiPartParser):
    """DRF's multipart parser (an endpoint that takes a file names it) with the NUL rule."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = {**request.META, "CONTENT_TYPE": media_type}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = _MultiPartParser(meta, stream, request.upload_handlers, encoding).parse()
        except _NulInUpload as error:
            raise ParseError(NUL_IN_TEXT) from error
        except MultiPartParserError as error:
            raise ParseError(f"Multipart form parse error - {error}") from error
        return parsers.DataAndFiles(data, files)


def _form(request: HttpRequest) -> tuple[QueryDict, MultiValueDict]:
    """The fields and files of a page's form body, read without changing what the view reads.

    A urlencoded body is read from `request.body` (Django parses it again from there). A multipart
    POST may hold files larger than the in-memory limit, so it is parsed here once, streaming, and
    handed to Django as `request.POST`/`FILES`, as Django's own `_load_post_and_files` does; a PUT
    or PATCH is read from its body.
    """
    if request.content_type != "multipart/form-data":
        return QueryDict(request.body, encoding=request.encoding), MultiValueDict()
    stream = request if request.method == "POST" else BytesIO(request.body)
    try:
        fields, files = _MultiPartParser(
            request.META, stream, request.upload_handlers, request.encoding
        ).parse()
    except MultiPartParserError:
        if request.method == "POST":
            request._mark_post_parse_error()
        raise
    if request.method == "POST":
        request._post, request._files = fields, files
    return fields, files


def _body_problem(request: HttpRequest) -> tuple[int, str] | None:
    content_type = request.content_type or ""
    if content_type == "multipart/form-data" and _is_api(request):
        # Left to the endpoint's parser: one that takes a file checks it (MultiPartParserWithLimits),
        # any other answers 415 without reading it. Parsing it here would hide that 415.
        return None
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            fields, files = _form(request)
        except RequestDataTooBig:
            return 413, too_big_message(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except _NulInUpload:
            return 400, NUL_IN_TEXT
        except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
            return 400, MALFORMED_FORM
        return (400, NUL_IN_TEXT) if _has_nul(fields.lists()) or _has_nul(files.lists()) else None
    body = request.body
    if "json" in content_type:
        problem = json_problem(body)
        return (400, problem) if problem else None
    return (400, NUL_IN_TEXT) if b"\x00" in body else None


def too_big_message(limit: int) -> str:
    return f"The request is too large: send at most {limit / (1024 * 1024):.1f} MB."


class BadInputMiddleware:
    """Refuses a NUL in the path (404) or query (400), a body over the size limit (413), a NUL in
    any field, file name or JSON string of the body, and JSON nested too deep (400): JSON under
    /api/, a page elsewhere. Nothing behind it (views, the database) ever sees such a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self.refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        if "\x00" in request.path_info:
            if _is_api(request):
                return JsonResponse({"detail": NUL_IN_PATH}, status=404)
            raise Http404(NUL_IN_PATH)
        if _has_nul(request.GET.lists()):
            return _refuse(request, 400, NUL_IN_TEXT)
        length = _content_length(request)
        if length is None:
            return _refuse(request, 400, "The Content-Length header is not a number.")
        if length == 0:
            return None
        multipart = request.content_type == "multipart/form-data"
        limit = MAX_UPLOAD_BODY_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refuse(request, 413, too_big_message(limit))
        problem = _body_problem(request)
        return _refuse(request, *problem) if problem else None
