"""What a person does in the browser: sign in, enter a security code, move with the keyboard.

Every page state a journey reaches goes through Journey.check: axe on the page as it is,
no static file missing, no script error, nothing blocked by the CSP, and the page's HTML kept so
that a failing test can leave a screenshot of every state it went through.
"""

import re
import time

from django.urls import NoReverseMatch, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from .axe import LEDGER, axe_violations, format_violations

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips every browser test with one message
    expect = None

PASSWORD = "correct horse battery staple"
# django-otp refuses any code for a second after a wrong one (doubling with each failure);
# a person retyping takes longer than that, a test does not.
OTP_THROTTLE_SECONDS = 1.2
# A fixed authenticator key per test user: the test computes the code the phone would show.
TOTP_KEY = "3132333435363738393031323334353637383930"


class Journey:
    def __init__(self, page, name):
        self.page = page
        self.name = name
        self.states = []
        self.problems = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("response", self._on_response)
        page.on("console", self._on_console)

    def _on_console(self, message):
        # The browser reports what the Content-Security-Policy blocked (an inline script or style
        # in a template, say) only here: the page may look right and still be broken without JS.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"blocked by the Content-Security-Policy: {message.text}")

    def _on_response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.problems.append(f"static file {response.url} answered {response.status}")

    def check(self, state):
        """Check the page as it stands now: axe (WCAG 2.2 AA), assets, scripts and the CSP."""
        page = self.page
        page.wait_for_load_state("load")
        # The DOM as it is now, scripts' changes included; a screenshot costs ten times as much, so
        # it is drawn from this only when a test fails (or screenshots are asked for).
        self.states.append((state, page.url, page.content()))
        violations = axe_violations(page)
        LEDGER.checked.append((f"{self.name}: {state}", page.url, violations))
        assert not violations, format_violations(state, page.url, violations)
        # WCAG 2.4.2 and the GOV.UK pattern: a title naming the page, marked when the page shows errors.
        title = page.title()
        assert re.match(r"^\S.* – EHC health advice$", title), f"{state!r}: title {title!r} does not name the page"
        if page.locator(".govuk-error-summary").count():
            assert "(error)" in title, f"{state!r} shows errors but its title {title!r} does not say so"
        assert not self.problems, f"on {state!r} ({page.url}): " + "; ".join(self.problems)


def url_or_skip(name, *args, **kwargs):
    """The path of a named URL, or skip: a journey over a part of the product not merged yet."""
    try:
        return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        pytest_skip(f"the URL {name!r} does not exist yet on this branch")


def pytest_skip(reason):
    import pytest

    pytest.skip(reason)


def give_authenticator(user):
    """A confirmed authenticator app for `user`, with a key the test knows."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True, key=TOTP_KEY)


def security_code(device):
    """The code the phone shows now; the next one when this one was already used.

    The server refuses a code it has seen (TOTPDevice.last_t) and accepts one step of drift,
    so a second sign-in within the same 30 seconds uses the next code instead of waiting.
    """
    device.refresh_from_db()
    now_step = int(time.time() - device.t0) // device.step
    drift = 1 if device.last_t >= now_step else 0
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def sign_in(journey, user, *, device=None, check=False, password=PASSWORD):
    """Sign in through the real form and the two-factor page, with the mouse."""
    page = journey.page
    page.goto("/sign-in/")
    if check:
        journey.check("sign-in page")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    if check:
        journey.check("security code page")
    page.get_by_label("Security code").fill(security_code(device or user.totpdevice_set.get()))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/account/two-factor/"))


def start_from_home(page, link, *, keyboard=False):
    """Signed in, each user lands on their work today (home.views); the page their role's work starts
    from is a link there, named `link`: followed with the mouse, or with the keyboard."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work today")
    if keyboard:
        skip_to_main(page)
        press_enter_on(page, text=link)
    else:
        page.get_by_role("main").get_by_role("link", name=link, exact=True).click()


# Keyboard ---------------------------------------------------------------------------------

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : (el.getAttribute("aria-label") || "");
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "", text: (el.innerText || "").trim().slice(0, 100),
    label: label.trim(), href: el.getAttribute("href") || "", region: el.getAttribute("role") === "region",
  };
}"""

# WCAG 2.4.7: the focused element shows it. GOV.UK Frontend draws the indicator as an
# outline or box shadow, on the label's ::before for its radios and checkboxes.
_FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const shows = (style) => (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none");
  if (el.matches(".govuk-radios__input, .govuk-checkboxes__input")) {
    return shows(getComputedStyle(el.nextElementSibling, "::before"))
      || shows(getComputedStyle(el.nextElementSibling, "::after"));
  }
  return shows(getComputedStyle(el));
}"""


def focused(page):
    return page.evaluate(_FOCUSED)


def _describe(info):
    if info is None:
        return "nothing (the page itself)"
    what = info["label"] or info["text"] or info["name"] or info["id"]
    return f"<{info['tag']}> {what!r}"


def tab_to(page, selector=None, *, text=None, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until the element matching `selector` or named `text` has focus."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        info = focused(page)
        seen.append(_describe(info))
        if info is None:
            continue
        if selector is not None and not page.evaluate("(s) => document.activeElement.matches(s)", selector):
            continue
        if text is not None and text not in (info["text"] or info["label"]):
            continue
        # A table's scrollable region takes focus too (tabindex=0), and its text is the whole table's:
        # a link or button named `text` inside it is what the person is after.
        if text is not None and info.get("region"):
            continue
        assert page.evaluate(_FOCUS_VISIBLE), f"{_describe(info)} has focus but shows no focus indicator"
        return info
    target = selector or repr(text)
    raise AssertionError(f"Tab never reached {target}; focus went through: " + ", ".join(seen[-25:]))


def type_into(page, selector, value):
    """Tab to a field and type into it, as a person would."""
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def type_date(page, field_name, date):
    """The three boxes of a GOV.UK date input, in order, with Tab between them."""
    type_into(page, f"[name={field_name}_0]", str(date.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.year))


def choose_radio(page, name, label):
    """Tab into a radio group, then arrow to the option and select it with Space."""
    tab_to(page, f"input[type=radio][name={name}]")
    for _ in range(20):
        info = focused(page)
        if info["label"] == label:
            page.keyboard.press("Space")
            assert page.evaluate("() => document.activeElement.checked"), f"{label!r} was not selected"
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no radio labelled {label!r} in {name}")


def press_enter_on(page, selector=None, *, text=None, backwards=False):
    tab_to(page, selector, text=text, backwards=backwards)
    page.keyboard.press("Enter")


def choose_option(page, selector, label, *, limit=40):
    """Tab to a <select> and move through its options with the arrow keys until `label` is chosen."""
    tab_to(page, selector)
    read = "() => document.activeElement.selectedOptions[0]?.text.trim()"
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(limit):
            if page.evaluate(read) == label:
                return
            before = page.evaluate(read)
            page.keyboard.press(key)
            if page.evaluate(read) == before:
                break
    raise AssertionError(f"no option {label!r} in {selector}")


def sign_in_with_keyboard(journey, user, device):
    """Sign in and enter the security code without the mouse."""
    page = journey.page
    page.goto("/sign-in/")
    # The sign-in form puts the cursor in its first box.
    assert focused(page)["name"] == "username"
    page.keyboard.type(user.username)
    type_into(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    type_into(page, "#id_code", security_code(device))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/account/two-factor/|/sign-in/"))


def skip_to_main(page):
    """The first Tab on a page reaches the skip link; Enter on it moves past the header and menu."""
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
