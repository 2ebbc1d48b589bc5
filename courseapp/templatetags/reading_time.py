from django import template

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """Reading time for people: 50 -> "50 min", 80 -> "1 h 20 min", 120 -> "2 h"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
