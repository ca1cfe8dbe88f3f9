"""Why a file is not loaded: a short stable code, then the particulars (``"encrypted: …"``).

Every refusal recorded in ``documents.status_reason`` starts with one of these codes, so that operators can
count refusals by kind (``split_part(status_reason, ':', 1)``) and the README's "what happens to bad files"
table stays true (a test holds the two together).
"""

from __future__ import annotations

REASONS: dict[str, str] = {
    "empty": "the file has no bytes",
    "not_pdf": "the bytes are not a PDF (an HTML error page saved as .pdf, an image, random data)",
    "truncated": "the PDF ends before its %%EOF trailer (an interrupted download)",
    "unreadable": "the PDF's structure cannot be read",
    "encrypted": "a password is needed to open the PDF",
    "needs_ocr": "pages carry no usable text: scanned images, or glyphs without a Unicode map ((cid:N))",
    "text_only": "text could be read only without table rulings, so the tables were not read",
    "not_final_account": (
        "no 'YYYY年度部门决算' or 'YYYY年部门预算' on the first pages: neither a final account nor a budget"
    ),
    "template": "a blank template (XX placeholders), not a department's accounts",
    "no_tables": (
        "a 决算 or 预算 without any recognisable table (a budget whose tables are a separate file)"
    ),
    "no_identity": "the department or the fiscal year is not on the cover",
    "invalid": "the extracted frames break the warehouse schema (each problem listed)",
    "timeout": "parsing took longer than the per-document time limit",
    "memory": "parsing needed more memory than the per-document limit (a compression bomb, say)",
    "parser_error": "the parser raised an unexpected error on this file (the exception is named)",
    "crashed": "the parsing process died",
    "load_failed": "the warehouse refused the document's rows (the database's error is named)",
}


def reason(code: str, detail: str) -> str:
    """The recorded text for a refusal; an unknown code is a programming error."""
    if code not in REASONS:
        raise KeyError(f"unknown refusal code {code!r}")
    return f"{code}: {detail}"


def code_of(text: str | None) -> str | None:
    return None if not text else text.split(":", 1)[0]
