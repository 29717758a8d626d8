"""Templates: sandbox escapes refused, undefined names named, every way to grow work or output bounded."""
from __future__ import annotations

import time

import pytest

from jimu.platform.notifications import RenderLimits, TemplateRenderError, render_template, template_problems

VARIABLES = {"record": {"number": "SO-0001", "customer": "华东贸易", "lines": list(range(1000))}, "note": "<b>hi</b>"}


def refusal(source: str, **limits: float) -> str:
    with pytest.raises(TemplateRenderError) as caught:
        render_template(source, VARIABLES, limits=RenderLimits(**limits) if limits else RenderLimits(),
                        path="/actions/0/body")
    [detail] = caught.value.details
    assert detail.path == "/actions/0/body"
    return detail.code


def test_renders_values_loops_and_filters() -> None:
    source = "{{ record.number }} {{ record.customer }}: {{ record.lines|length }} {% for i in range(3) %}{{ i }}{% endfor %}"
    assert render_template(source, VARIABLES) == "SO-0001 华东贸易: 1000 012"


def test_html_bodies_are_escaped_and_text_is_not() -> None:
    assert render_template("<p>{{ note }}</p>", VARIABLES, html=True) == "<p>&lt;b&gt;hi&lt;/b&gt;</p>"
    assert render_template("{{ note }}", VARIABLES) == "<b>hi</b>"


@pytest.mark.parametrize("source", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ record.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ record.lines.append(1) }}",
    "{{ record.update({'x': 1}) }}",
    "{{ '{0.__class__}'.format(note) }}",
    "{{ '%s' % note }}",
])
def test_sandbox_escapes_are_refused(source: str) -> None:
    assert refusal(source) == "notifications.template_refused"


@pytest.mark.parametrize("source, code", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "notifications.template_too_many_steps"),
    ("{% for a in record.lines %}{% for b in record.lines %}{% for c in record.lines %}{% endfor %}{% endfor %}"
     "{% endfor %}", "notifications.template_too_many_steps"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
     "notifications.template_too_many_steps|notifications.template_too_slow"),
    ("{{ 'a' * 100000000 }}", "notifications.template_too_large"),
    ("{{ [1] * 100000000 }}", "notifications.template_too_large"),
    ("{{ 2 ** 100000 }}", "notifications.template_too_large"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "notifications.template_too_large"),
    ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
     "notifications.template_too_large"),
    ("{{ range(10)|join('x' * 100000) }}", "notifications.template_too_large"),
    ("{{ 'aaaa'|replace('a', 'b' * 100000) }}", "notifications.template_too_large"),
    ("{{ 'x'|center(1000000000) }}", "notifications.template_too_large"),
    ("{{ 'x'|indent(1000000000) }}", "notifications.template_too_large"),
    ("{% for i in range(100000) %}{{ 'x' * 10 }}{% endfor %}", "notifications.template_too_large"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "notifications.template_failed"),
    ("{{ 1 / 0 }}", "notifications.template_failed"),
    ("{{ missing }}", "notifications.template_undefined"),
    ("{{ record.missing }}", "notifications.template_undefined"),
    ("{{ lipsum(100000) }}", "notifications.template_undefined"),
    ("{{ 'x'|format(1) }}", "notifications.template_syntax"),
])
def test_runaway_templates_are_stopped_quickly(source: str, code: str) -> None:
    started = time.monotonic()
    assert refusal(source) in code.split("|")
    assert time.monotonic() - started < 3


def test_the_time_limit_stops_a_slow_render() -> None:
    source = "{% for i in range(90000) %}{{ [i]|sum }}{% endfor %}"
    assert refusal(source, seconds=0.01, max_steps=10**9) == "notifications.template_too_slow"


def test_template_problems_name_the_path_and_each_unknown_variable() -> None:
    assert template_problems("Hi {{ user.name }}", path="/a", names={"user"}) == []
    [syntax] = template_problems("Hi {{ user.name ", path="/actions/2/subject")
    assert (syntax.path, syntax.code, syntax.params["line"]) == ("/actions/2/subject", "notifications.template_syntax", 1)
    unknown = template_problems("{{ usr }} {{ recrd }} {% set x = 1 %}{{ x }}", path="/b", names={"user", "record"})
    assert [(p.code, p.params["name"]) for p in unknown] == [("notifications.template_unknown_name", "recrd"),
                                                              ("notifications.template_unknown_name", "usr")]
    assert template_problems(12, path="/c")[0].code == "notifications.template_not_text"
    assert template_problems("x" * 20_001, path="/d")[0].code == "notifications.template_too_long"
