"""Template loaders that drop the indentation of HTML templates as they read them.

Indentation keeps templates readable but reached the browser as it was: a third of a unit
page's 33 KB was spaces at the start of lines, written, sent and parsed on every view. Each line
of an .html template is stripped of its leading whitespace; the line breaks stay, so whatever
whitespace separated two words or tags still separates them and pages render the same. A
template holding <pre> or <textarea>, where leading spaces are content, is left as written, and
so is every other kind of template (email text, subjects).
"""

from django.template.loaders import app_directories, filesystem


def unindented(source: str) -> str:
    if "<pre" in source or "<textarea" in source:
        return source
    return "\n".join(line.lstrip() for line in source.split("\n"))


class _Unindenting:
    def get_contents(self, origin) -> str:
        source = super().get_contents(origin)
        return unindented(source) if origin.name.endswith(".html") else source


class FilesystemLoader(_Unindenting, filesystem.Loader):
    pass


class AppDirectoriesLoader(_Unindenting, app_directories.Loader):
    pass
