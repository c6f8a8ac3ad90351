"""The public pages under ``/public``: gallery, one page per object with the tip form, thanks.

No login, no cookies, no JavaScript. The language is ``?lang=`` (or the
browser's); the client address is used only for the in-memory rate limit and
never stored or logged. A refused form is shown again with its text kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.exceptions import HTTPException

from geoleads.errors import NotFoundError, StoreError, SubmissionError
from geoleads.images import stored_image
from geoleads.intake import MAX_TEXT, MAX_TOWN, Intake, Submission, validate
from geoleads.web.public import i18n
from geoleads.web.public.guard import CLIENT_KEY, AddressLimiter, FormTokens, cross_site
from geoleads.web.public.published import PublicObject, PublishedObjects

bp = Blueprint(
    "public",
    __name__,
    url_prefix="/public",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; translated when shown."""
    return message


#: Messages for refused submissions, per (field, code) of :class:`SubmissionError`.
MESSAGES = {
    "required": N_("Please write your tip."),
    "too_long": N_("This is too long. Please shorten it."),
    "unknown_country": N_("Please choose a country from the list."),
    "unknown_language": N_("Please choose a language from the list."),
    "expired": N_("The form had expired. Please check your tip and send it again."),
    "rate": N_(
        "Too many tips were sent from your connection just now. Please wait a few "
        "minutes and send it again."
    ),
    "store": N_("Your tip could not be saved just now. Please try again in a minute."),
}


@dataclass
class PublicState:
    """What the public pages share in one app (see :func:`geoleads.web.public.init_public`)."""

    intake: Intake
    limiter: AddressLimiter
    tokens: FormTokens
    images_dir: str
    objects: PublishedObjects
    pages: dict[tuple[PublicObject, str], str] = field(default_factory=dict)
    honeypot_hits: int = 0
    refused: dict[str, int] = field(default_factory=dict)


def state() -> PublicState:
    st: PublicState = current_app.extensions["geoleads_public"]
    return st


def _(message: str) -> str:
    """``message`` in the current page's language."""
    return str(i18n.translations(g.get("public_locale", "en")).gettext(message))


@bp.before_request
def before() -> None:
    # Before anything reads the form: a larger body is refused (413) unread.
    request.max_content_length = int(current_app.config.get("PUBLIC_MAX_REQUEST_BYTES", 65536))
    g.public_locale = i18n.best_locale(request.args.get("lang"), None)
    g.public_locale = i18n.best_locale(
        request.values.get("lang"), request.headers.get("Accept-Language")
    )


@bp.after_request
def after(resp: Any) -> Any:
    resp.headers["Content-Language"] = g.get("public_locale", "en")
    resp.vary.add("Accept-Language")
    return resp


@bp.context_processor
def template_globals() -> dict[str, Any]:
    locale = g.get("public_locale", "en")
    args = dict(request.view_args or {})

    def switch_url(code: str) -> str:
        endpoint = request.endpoint if request.method == "GET" and request.endpoint else None
        return url_for(endpoint or "public.gallery", **args, lang=code)

    return {
        "_": _,
        "locale": locale,
        "locales": [(code, i18n.autonym(code)) for code in i18n.LOCALES],
        "switch_url": switch_url,
    }


@bp.errorhandler(HTTPException)
def http_error(err: HTTPException) -> Any:
    messages = {
        404: N_("This page does not exist, or the object is no longer shown."),
        413: N_("What you sent is too large."),
        403: N_("This form can only be sent from this website."),
    }
    fallback = N_("Something went wrong. Please try again later.")
    text = _(messages.get(err.code or 500, fallback))
    return render_template("public/error.html", code=err.code, message=text), err.code or 500


def _published(object_id: str) -> PublicObject:
    obj = state().objects.get(object_id)
    if obj is None:
        abort(404)
    return obj


@bp.get("/")
def gallery() -> Any:
    """Every published object with its picture, kind and question."""
    return render_template("public/gallery.html", objects=state().objects.all())


@bp.get("/image/<path:object_id>")
def image(object_id: str) -> Any:
    """The picture of a published object (stripped of metadata when it was uploaded)."""
    obj = _published(object_id)
    path = stored_image(state().images_dir, obj.image_path)
    if path is None:
        abort(404)
    resp = send_file(path, max_age=3600, conditional=True)
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


#: Stands for the form token in a cached page.
TOKEN_SLOT = "@@form-token@@"


def _render_form(obj: PublicObject, values: dict[str, str], errors: dict[str, str]) -> str:
    locale = g.public_locale
    return render_template(
        "public/object.html",
        obj=obj,
        values=values,
        errors=errors,
        token=TOKEN_SLOT,
        countries=i18n.countries(locale),
        languages=i18n.languages(locale),
        max_text=MAX_TEXT,
        max_town=MAX_TOWN,
    )


def _form(obj: PublicObject, values: dict[str, str], errors: dict[str, str], status: int) -> Any:
    """The object's page; an empty form comes from a per-(object, language) cache."""
    st = state()
    if values or errors:
        html = _render_form(obj, values, errors)
    else:
        key = (obj, g.public_locale)
        html = st.pages.get(key) or ""
        if not html:
            html = _render_form(obj, {}, {})
            if len(st.pages) > 2000:
                st.pages.clear()
            st.pages[key] = html
    return html.replace(TOKEN_SLOT, st.tokens.issue(obj.object_id), 1), status


def _refuse(obj: PublicObject, values: dict[str, str], errors: dict[str, str], status: int) -> Any:
    st = state()
    for reason in errors.values():
        st.refused[reason] = st.refused.get(reason, 0) + 1
    translated = {name: _(MESSAGES[reason]) for name, reason in errors.items()}
    return _form(obj, values, translated, status)


@bp.route("/objects/<path:object_id>", methods=["GET", "POST"])
def detail(object_id: str) -> Any:
    """The object's page and its tip form; a POST stores the tip and redirects to thanks."""
    obj = _published(object_id)
    if request.method == "GET":
        return _form(obj, {}, {}, 200)
    if cross_site(request.headers, request.host):
        abort(403)
    form = request.form
    values = {k: form.get(k, "") for k in ("text", "country", "town", "language")}
    thanks = url_for("public.thanks", object=obj.object_id, lang=g.public_locale)
    if form.get("website"):  # the honeypot: people never see it, bots fill it
        state().honeypot_hits += 1
        return redirect(thanks, 303)
    st = state()
    token = form.get("token", "")
    verdict = st.tokens.check(token, obj.object_id)
    if verdict == "used":  # sent twice (double click, reload): stored once already
        return redirect(thanks, 303)
    if verdict != "ok":
        return _refuse(obj, values, {"form": "expired"}, 400)
    sub = Submission(
        obj.object_id, values["text"], values["country"], values["town"], values["language"]
    )
    try:
        validate(sub)
        if sub.language and sub.language.strip().lower() not in i18n.TIP_LANGUAGES:
            raise SubmissionError("language", "unknown_language", "not in the form's list")
    except SubmissionError as err:
        return _refuse(obj, values, {err.field: err.code}, 400)
    address = request.environ.get(CLIENT_KEY) or request.remote_addr or "-"
    if not st.limiter.hit(address):
        resp = _refuse(obj, values, {"form": "rate"}, 429)
        return (*resp, {"Retry-After": str(st.limiter.retry_after(address))})
    if not st.tokens.claim(token):
        return redirect(thanks, 303)
    try:
        st.intake.submit(sub)
    except NotFoundError:
        st.tokens.release(token)
        abort(404)
    except StoreError:
        st.tokens.release(token)
        current_app.logger.exception("a public tip could not be stored")
        return _refuse(obj, values, {"form": "store"}, 503)
    return redirect(thanks, 303)


@bp.get("/thanks")
def thanks() -> Any:
    """Thank the tipster; link back to the object and the gallery."""
    object_id = request.args.get("object") or ""
    return render_template("public/thanks.html", obj=state().objects.get(object_id))
