"""Designer-facing validation of a BPMN/DMN bundle: German problems with file, element and line."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.specs.user_task import UserTask

from engine.bpmn.forms import build_form
from engine.bpmn.parser import KimflowParser
from engine.bpmn.start_form import none_start_event, start_form
from engine.bpmn.translate import translate_bpmn, translate_dmn
from engine.bpmn.validation_dmn import check_dmn
from engine.bpmn.validation_expressions import check_expressions
from engine.bpmn.validation_rules import MISSING_CALLED_PROCESS, BundleFacts, Checker, local
from engine.bpmn.xmlsafe import parse_xml
from engine.core.errors import DefinitionError, Problem

DMN_NAMESPACES = ("http://www.omg.org/spec/DMN/", "https://www.omg.org/spec/DMN/")


@dataclass
class Analysis:
    """What reading a bundle produced: the parser (None when refused early) and every problem."""

    parser: KimflowParser | None
    process_ids: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, element id) -> line

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]


def _is_dmn(name: str, root: etree._Element) -> bool:
    namespace = etree.QName(root).namespace or ""
    return name.lower().endswith(".dmn") or namespace.startswith(DMN_NAMESPACES)


Documents = dict[str, tuple[etree._Element, bool]]  # file name -> (root, is DMN)


def _read_files(files: Mapping[str, bytes | str], analysis: Analysis) -> Documents:
    documents: Documents = {}
    for name, content in files.items():
        try:
            root = parse_xml(content, name)
        except DefinitionError as exc:
            analysis.problems.extend(exc.problems)
            continue
        if local(root) != "definitions":
            analysis.problems.append(Problem("Die Datei ist weder BPMN noch DMN (Wurzelelement "
                                             f"»{local(root)}« statt »definitions«).", file=name))
            continue
        documents[name] = (root, _is_dmn(name, root))
        for element in root.iter():
            if isinstance(element.tag, str) and element.get("id"):
                analysis.lines.setdefault((name, element.get("id") or ""), element.sourceline or 0)
    return documents


def _check_documents(documents, known_offices, analysis: Analysis) -> None:
    facts = BundleFacts()
    for name, (root, is_dmn) in documents.items():
        facts.add_dmn(root) if is_dmn else facts.add_bpmn(root, name)
    analysis.problems.extend(facts.call_cycles())
    for name, (root, is_dmn) in documents.items():
        if is_dmn:
            analysis.problems.extend(check_dmn(root, name))
            analysis.problems.extend(translate_dmn(root, name))
        else:
            analysis.problems.extend(Checker(root, name).run(known_offices=known_offices, bundle=facts))
            translation = translate_bpmn(root, name)
            analysis.problems.extend(translation)
            # The allow-list on what will actually run: the translated text of every expression.
            analysis.problems.extend(check_expressions(root, name, skip={p.element_id for p in translation}))
    has_bpmn = any(not is_dmn for _root, is_dmn in documents.values())
    if has_bpmn and not facts.executable_ids:
        first = next(name for name, (_root, is_dmn) in documents.items() if not is_dmn)
        analysis.problems.append(Problem("Keiner der Prozesse ist ausführbar; bitte im Modeler "
                                         "»Executable« aktivieren (isExecutable=\"true\").", file=first))


def _problem_from_exception(exc: Exception, analysis: Analysis, fallback_file: str | None) -> Problem:
    if isinstance(exc, ValidationException):
        element_id = getattr(exc, "id", None) or None
        file = getattr(exc, "file_name", None) or fallback_file
        line = analysis.lines.get((file or "", element_id or "")) or None
        return Problem(f"Der Prozess konnte nicht gelesen werden: {exc}", file=file,
                       element_id=element_id, line=line)
    return Problem(f"Unerwarteter Fehler beim Lesen ({type(exc).__name__}: {exc}).", file=fallback_file)


def _feed_parser(documents, analysis: Analysis) -> KimflowParser:
    parser = KimflowParser()
    for name, (root, is_dmn) in documents.items():
        try:
            parser.add_dmn_xml(root, filename=name) if is_dmn else parser.add_bpmn_xml(root, filename=name)
        except Exception as exc:  # SpiffWorkflow raises KeyError, TypeError, ... on odd input
            analysis.problems.append(_problem_from_exception(exc, analysis, name))
    for name, dmn_parser in parser.dmn_parsers.items():
        try:
            dmn_parser.parse()
        except Exception as exc:
            analysis.problems.append(_problem_from_exception(exc, analysis, dmn_parser.filename or name))
    return parser


def _build_specs(parser: KimflowParser, analysis: Analysis) -> None:
    for process_id in parser.get_process_ids():
        process_parser = parser.get_process_parser(process_id)
        if process_parser.parent is not None:
            continue  # an embedded subprocess, built with its parent
        try:
            spec = parser.get_spec(process_id)
            subprocesses = parser.get_subprocess_specs(process_id)
        except Exception as exc:
            analysis.problems.append(_problem_from_exception(exc, analysis, process_parser.filename))
            continue
        analysis.process_ids.append(process_id)
        for each in (spec, *subprocesses.values()):
            _check_forms(each, process_parser.filename, analysis)
        event = none_start_event(process_parser.node)
        if event is not None:
            _form_problems(start_form(event)[1], process_parser.filename, event.get("id"), analysis)


def _check_forms(spec, filename: str | None, analysis: Analysis) -> None:
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, UserTask):
            continue
        _form, messages = build_form(task_spec.form)
        _form_problems(messages, filename, task_spec.bpmn_id, analysis)


def _form_problems(messages: list[str], filename: str | None, element_id: str | None, analysis: Analysis) -> None:
    line = analysis.lines.get((filename or "", element_id or "")) or None
    for message in messages:
        problem = Problem(message, file=filename, element_id=element_id, line=line)
        if problem not in analysis.problems:
            analysis.problems.append(problem)


def analyse_bundle(files: Mapping[str, bytes | str], *,
                   known_offices: Collection[str] | None = None) -> Analysis:
    """Read, check, translate and parse a bundle; never raise for bad input."""
    analysis = Analysis(parser=None)
    if not files:
        analysis.problems.append(Problem("Das Paket enthält keine Dateien."))
        return analysis
    documents = _read_files(files, analysis)
    try:
        _check_documents(documents, known_offices, analysis)
        if analysis.errors:
            return analysis
        analysis.parser = _feed_parser(documents, analysis)
        if not analysis.errors:
            _build_specs(analysis.parser, analysis)
    except Exception as exc:  # a bug in a rule must not take the designer's upload down with it
        analysis.problems.append(_problem_from_exception(exc, analysis, None))
    return analysis


def validate_bundle(files: Mapping[str, bytes | str], *,
                    known_offices: Collection[str] | None = None) -> list[Problem]:
    """Return every problem (errors and warnings) of a bundle, in German, located where known."""
    return analyse_bundle(files, known_offices=known_offices).problems


_MISSING_IN_BUNDLE = (MISSING_CALLED_PROCESS, "in keiner DMN-Datei des Pakets")


def _bundles(paths: list[Path]) -> dict[Path, tuple[list[Path], list[Problem]]]:
    """Validate each file alone, or with its directory's accepted files when it calls one of them."""
    result = {path: ([path], _errors_of({path.name: path.read_bytes()})) for path in paths}
    for path, (_alone, errors) in list(result.items()):
        if errors and all(any(marker in problem.message for marker in _MISSING_IN_BUNDLE) for problem in errors):
            siblings = [other for other in paths if other.parent == path.parent and not result[other][1]]
            members = [path, *siblings]
            result[path] = (members, _errors_of({each.name: each.read_bytes() for each in members}))
    return result


def file_verdicts(paths: Iterable[Path]) -> dict[Path, list[Problem]]:
    """Map each BPMN/DMN file to its errors (empty when kimflow accepts it)."""
    return {path: errors for path, (_members, errors) in _bundles(sorted(paths)).items()}


def accepted_files(paths: Iterable[Path]) -> dict[Path, list[Path]]:
    """Map each accepted file to the files of the bundle it deploys with, e.g. to walk it end to end."""
    return {path: members for path, (members, errors) in _bundles(sorted(paths)).items() if not errors}


def _errors_of(files: Mapping[str, bytes]) -> list[Problem]:
    return [problem for problem in validate_bundle(files) if problem.severity == "error"]
