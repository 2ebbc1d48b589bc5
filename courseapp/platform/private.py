"""Pages that depend on who is asking are private to their browser.

Django marks such a response `Vary: Cookie` (the session or the CSRF cookie was read), which
keeps a shared cache from handing it to another cookie, but a shared cache may still store it,
and a proxy that ignores Vary serves it to everyone. `Cache-Control: private` tells every cache
between the site and the browser not to keep a copy; the person's own browser still may (the
fellows' pages revalidate theirs, see pagecache.py). Listed before SessionMiddleware, so the
`Vary: Cookie` the session and CSRF middleware add is already on the response here.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import has_vary_header, patch_cache_control


class PrivateWhenPersonalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if has_vary_header(response, "Cookie"):
            patch_cache_control(response, private=True)
        return response
