"""The public overview of the chain: every step from application to removal, in swim lanes per role."""

from pathlib import Path

from flask import current_app, render_template, request

from portal.simulator import bp
from portal.simulator.chain import load_chain


@bp.get("")
def overview() -> str:
    chain = load_chain(Path(current_app.config["CHAIN_FILE"]))
    view = chain.view(request.args.get("vy"))  # an unknown view shows the whole chain
    return render_template("simulator/overview.html", chain=chain, view=view)
