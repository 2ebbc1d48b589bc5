from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The form's `next` when it is a path on this site, else `fallback`.

    Only a path is taken: `redirect()` would read a bare word (`next=foo`) as a URL name and
    fail, or follow one (`next=account_logout`), and a control character cannot go into a
    Location header.
    """
    target = request.POST.get("next", "")
    is_path = target.startswith("/") and target.isprintable()
    allowed = is_path and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else fallback
