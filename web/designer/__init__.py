"""The designer workspace: process library, BPMN/DMN modeler, tests, deploy, versions and migration."""

from flask import Blueprint

bp = Blueprint("designer", __name__, url_prefix="/designer", template_folder="templates")

# bpmn-js and dmn-js set style attributes on SVG and HTML they build; scripts stay 'self' only.
DESIGNER_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                "form-action 'self'; frame-ancestors 'none'")


@bp.after_request
def _designer_csp(response):
    response.headers["Content-Security-Policy"] = DESIGNER_CSP
    return response


from web.designer import api, views, wording  # noqa: E402,F401  (views register on bp)
from web.designer.js_texts import designer_texts  # noqa: E402
from web.manage import labels  # noqa: E402

wording.register(bp)
labels.register(bp)  # account names and codes in words, also when the management workspace is not registered
bp.add_app_template_global(designer_texts, "designer_texts")
