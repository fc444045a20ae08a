"""SkillResponse 2.0 (reference §3.2): build the hub's simpleText answer and check any response.

`validate_skill_response` encodes the limits of the official format page so that endpoint tests can
assert every answer the hub gives would be accepted by the Open Builder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

SIMPLE_TEXT_LIMIT = 1000
_TRUNCATED = "\n…(이하 생략 / truncated)"
_BREAK_WINDOW = 120  # prefer cutting at a line break or space this close to the limit

_OUTPUTS_MAX = 3
_QUICK_REPLIES_MAX = 10
_QUICK_REPLY_ACTIONS = frozenset({"message", "block"})
_CAROUSEL_TYPES = frozenset({"basicCard", "commerceCard", "listCard", "itemCard", "textCard"})
_CAROUSEL_ITEMS_MAX = 10
_CARD_BUTTONS_MAX = 3
_LIST_BUTTONS_MAX = 2


class InvalidSkillResponse(ValueError):
    """A response the Open Builder would reject; `problems` lists every rule it breaks."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


def simple_text_response(text: str, *, quick_replies: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """A SkillResponse 2.0 with one simpleText, cut politely to 1000 characters."""
    if not text.strip():
        raise ValueError("simpleText needs some text")
    response: dict[str, Any] = {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": _fit(text.strip())}}]},
    }
    if quick_replies:
        response["template"]["quickReplies"] = [dict(reply) for reply in quick_replies]
    return response


def _fit(text: str) -> str:
    if len(text) <= SIMPLE_TEXT_LIMIT:
        return text
    room = SIMPLE_TEXT_LIMIT - len(_TRUNCATED)
    cut = text.rfind("\n", room - _BREAK_WINDOW, room)
    if cut <= 0:
        cut = text.rfind(" ", room - _BREAK_WINDOW, room)
    return text[: cut if cut > 0 else room].rstrip() + _TRUNCATED


def validate_skill_response(obj: object) -> None:
    """Raise `InvalidSkillResponse` unless `obj` is a valid SkillResponse 2.0."""
    problems: list[str] = []
    if not isinstance(obj, Mapping):
        raise InvalidSkillResponse(["response must be a JSON object"])
    if obj.get("version") != "2.0":
        problems.append('version must be "2.0"')
    template = obj.get("template")
    if obj.get("useCallback") is True:
        if template is not None:
            _check_template(template, problems)
    elif template is None:
        problems.append("template is required (unless useCallback is true)")
    else:
        _check_template(template, problems)
    if "context" in obj:
        _check_context(obj["context"], problems)
    if "data" in obj and not isinstance(obj["data"], Mapping):
        problems.append("data must be an object")
    if problems:
        raise InvalidSkillResponse(problems)


def _check_template(template: object, problems: list[str]) -> None:
    if not isinstance(template, Mapping):
        problems.append("template must be an object")
        return
    outputs = template.get("outputs")
    if not isinstance(outputs, list) or not 1 <= len(outputs) <= _OUTPUTS_MAX:
        problems.append(f"template.outputs must be a list of 1 to {_OUTPUTS_MAX} components")
    else:
        for index, output in enumerate(outputs):
            _check_output(output, f"template.outputs[{index}]", problems)
    if "quickReplies" in template:
        _check_quick_replies(template["quickReplies"], problems)


def _check_output(output: object, where: str, problems: list[str]) -> None:
    if not isinstance(output, Mapping) or len(output) != 1:
        problems.append(f"{where} must hold exactly one component")
        return
    ((kind, component),) = output.items()
    if kind == "carousel":
        _check_carousel(component, f"{where}.carousel", problems)
    elif kind in _COMPONENT_CHECKS:
        _COMPONENT_CHECKS[kind](component, f"{where}.{kind}", problems, False)
    else:
        problems.append(f"{where}: unknown component {kind!r}")


def _check_carousel(carousel: object, where: str, problems: list[str]) -> None:
    if not isinstance(carousel, Mapping):
        problems.append(f"{where} must be an object")
        return
    kind = carousel.get("type")
    items = carousel.get("items")
    if kind not in _CAROUSEL_TYPES:
        problems.append(f"{where}.type must be one of {sorted(_CAROUSEL_TYPES)}")
        return
    if not isinstance(items, list) or not 1 <= len(items) <= _CAROUSEL_ITEMS_MAX:
        problems.append(f"{where}.items must be a list of 1 to {_CAROUSEL_ITEMS_MAX} cards")
        return
    for index, item in enumerate(items):
        _COMPONENT_CHECKS[str(kind)](item, f"{where}.items[{index}]", problems, True)


def _check_simple_text(component: object, where: str, problems: list[str], _: bool) -> None:
    text = component.get("text") if isinstance(component, Mapping) else None
    if not isinstance(text, str) or not text:
        problems.append(f"{where}.text must be a non-empty string")
    elif len(text) > SIMPLE_TEXT_LIMIT:
        problems.append(f"{where}.text has {len(text)} characters (max {SIMPLE_TEXT_LIMIT})")


def _check_simple_image(component: object, where: str, problems: list[str], _: bool) -> None:
    if not isinstance(component, Mapping):
        problems.append(f"{where} must be an object")
        return
    _required_text(component, "imageUrl", where, problems)
    _required_text(component, "altText", where, problems, limit=50)


def _check_text_card(component: object, where: str, problems: list[str], in_carousel: bool) -> None:
    if not _is_object(component, where, problems):
        return
    _optional_text(component, "title", where, problems, limit=50)
    _optional_text(component, "description", where, problems, limit=128 if in_carousel else 400)
    _check_buttons(component, where, problems, _CARD_BUTTONS_MAX)


def _check_basic_card(component: object, where: str, problems: list[str], _: bool) -> None:
    if not _is_object(component, where, problems):
        return
    _optional_text(component, "title", where, problems, limit=50)
    _optional_text(component, "description", where, problems, limit=230)
    thumbnail = component.get("thumbnail")
    if not isinstance(thumbnail, Mapping) or not isinstance(thumbnail.get("imageUrl"), str):
        problems.append(f"{where}.thumbnail.imageUrl is required")
    _check_buttons(component, where, problems, _CARD_BUTTONS_MAX)


def _check_commerce_card(component: object, where: str, problems: list[str], _: bool) -> None:
    if not _is_object(component, where, problems):
        return
    _optional_text(component, "title", where, problems, limit=30)
    _optional_text(component, "description", where, problems, limit=40)
    if not isinstance(component.get("price"), int):
        problems.append(f"{where}.price must be an integer")
    if component.get("currency", "won") != "won":
        problems.append(f'{where}.currency can only be "won"')
    thumbnails = component.get("thumbnails")
    if not isinstance(thumbnails, list) or len(thumbnails) != 1:
        problems.append(f"{where}.thumbnails must hold exactly one thumbnail")
    _check_buttons(component, where, problems, _CARD_BUTTONS_MAX)


def _check_list_card(component: object, where: str, problems: list[str], in_carousel: bool) -> None:
    if not _is_object(component, where, problems):
        return
    header = component.get("header")
    if not isinstance(header, Mapping) or not isinstance(header.get("title"), str):
        problems.append(f"{where}.header.title is required")
    limit = 4 if in_carousel else 5
    items = component.get("items")
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        problems.append(f"{where}.items must be a list of 1 to {limit} items")
    _check_buttons(component, where, problems, _LIST_BUTTONS_MAX)


def _check_item_card(component: object, where: str, problems: list[str], _: bool) -> None:
    if _is_object(component, where, problems):
        _check_buttons(component, where, problems, _CARD_BUTTONS_MAX)


def _check_buttons(component: Mapping[str, Any], where: str, problems: list[str], limit: int) -> None:
    buttons = component.get("buttons", [])
    if not isinstance(buttons, list) or len(buttons) > limit:
        problems.append(f"{where}.buttons must be a list of at most {limit}")
        return
    for index, button in enumerate(buttons):
        if not isinstance(button, Mapping):
            problems.append(f"{where}.buttons[{index}] must be an object")
            continue
        _required_text(button, "label", f"{where}.buttons[{index}]", problems)
        _required_text(button, "action", f"{where}.buttons[{index}]", problems)


def _check_quick_replies(replies: object, problems: list[str]) -> None:
    if not isinstance(replies, list) or len(replies) > _QUICK_REPLIES_MAX:
        problems.append(f"template.quickReplies must be a list of at most {_QUICK_REPLIES_MAX}")
        return
    for index, reply in enumerate(replies):
        where = f"template.quickReplies[{index}]"
        if not isinstance(reply, Mapping):
            problems.append(f"{where} must be an object")
            continue
        _required_text(reply, "label", where, problems)
        action = reply.get("action")
        if action not in _QUICK_REPLY_ACTIONS:
            problems.append(f'{where}.action must be "message" or "block"')
        elif action == "block" and not isinstance(reply.get("blockId"), str):
            problems.append(f"{where}.blockId is required for a block action")
        if "messageText" in reply and not isinstance(reply["messageText"], str):
            problems.append(f"{where}.messageText must be a string")


def _check_context(context: object, problems: list[str]) -> None:
    values = context.get("values") if isinstance(context, Mapping) else None
    if not isinstance(values, list):
        problems.append("context.values must be a list")
        return
    for index, value in enumerate(values):
        if (
            not isinstance(value, Mapping)
            or not isinstance(value.get("name"), str)
            or not isinstance(value.get("lifeSpan"), int)
        ):
            problems.append(f"context.values[{index}] needs a name and an integer lifeSpan")


def _is_object(component: object, where: str, problems: list[str]) -> TypeGuard[Mapping[str, Any]]:
    if isinstance(component, Mapping):
        return True
    problems.append(f"{where} must be an object")
    return False


def _required_text(
    obj: Mapping[str, Any], key: str, where: str, problems: list[str], *, limit: int | None = None
) -> None:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        problems.append(f"{where}.{key} must be a non-empty string")
    elif limit is not None and len(value) > limit:
        problems.append(f"{where}.{key} has {len(value)} characters (max {limit})")


def _optional_text(obj: Mapping[str, Any], key: str, where: str, problems: list[str], *, limit: int) -> None:
    if key in obj:
        _required_text(obj, key, where, problems, limit=limit)


_COMPONENT_CHECKS = {
    "simpleText": _check_simple_text,
    "simpleImage": _check_simple_image,
    "textCard": _check_text_card,
    "basicCard": _check_basic_card,
    "commerceCard": _check_commerce_card,
    "listCard": _check_list_card,
    "itemCard": _check_item_card,
}
