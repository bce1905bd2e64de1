"""Procedures (today's BrainSTEM) — or the seed's Actions on a backend that only keeps those:
filter, browse, map, open one; create, edit, duplicate, mirror, delete (editors)."""

from stemgui.gui import context, procedure_views, widgets

user = context.require_role("viewer")

with widgets.error_boundary():
    procedure_views.run_page(user)
