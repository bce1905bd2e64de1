"""The bundled BrainSTEM-compatible API server (FastAPI + SQLAlchemy); run ``python -m stemgui.server``.

Behaviour worth knowing when writing a client or a test:
- Lists: ``{"<list key>": [...], "count": <all matches>}``; ``limit`` defaults to and is capped at
  100, ``offset`` defaults to 0. Default order: by ``name`` then ``id`` (brain regions by atlas,
  name, id; actions by creation time, id). ``sort[]`` fields come first, ``id`` always breaks
  ties, NULLs sort last in both directions.
- Responses carry the fields of the spec's response examples plus the writable fields of the
  spec's field tables that the examples omit (``name_used_in_storage``, ``comments``, ...).
  ``extra_fields`` is stored and returned as an object; writes accept the object or the list of
  ``{name, value}``.
- Errors: 400 ``{"field": ["message"]}`` (nested JSON-Schema fields as ``details.injectionVolume``;
  malformed JSON as ``{"detail": ...}``), 401 no/bad token, 403 not allowed (the public portal is
  read-only; super is for superusers), 404 unknown or unreadable record (also non-UUID ids),
  413 bodies over 1 MB.
- Deleting a project deletes the sessions and subjects that belong to no other project.
- Taxonomies and resources: any signed-in user may add them; only their creator or a superuser
  may change or delete them (no approval workflow).
"""
