"""``/demo``: a stand-alone article page that embeds the comments exactly as a
customer's site would, with the one-line script. ``DEMO=0`` turns it off.
"""

from flask import Blueprint, render_template

bp = Blueprint("demo", __name__)

THREAD = "new-start-talks-cairo"


@bp.get("/demo")
def article():
    return render_template("demo.html", thread=THREAD)
