"""The explorer: the registry's pages for people who would rather read than call the API (issue 18).

Every page is built from the API's own answer to the same request (``answers``): the same read rules (published
records only, never a curator's note), the same filters under the same names, the same 400s. A page's URL is
the API's without ``/api/v1``: ``/model-releases/?developer=deepseek`` shows what
``/api/v1/model-releases/?developer=deepseek`` answers. Pages are server-rendered, readable without JavaScript,
and answered conditionally like the API (``pages.conditional``).
"""
