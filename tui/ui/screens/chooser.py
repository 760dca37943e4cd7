"""Demo mode's in-terminal "Choose an Account" page (the sandbox's account picker).

HubSpot's real picker lists every portal the signed-in user can reach, developer and test
portals included, and nothing stops you picking the wrong one. This modal shows the sandbox's
list with the same trap, but flags each kind so the consequence is visible before choosing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, Protocol

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.user_errors import error_text
from tui.hubspot.errors import HubSpotError
from tui.hubspot.models import AccountType


class Choice(Protocol):
    """What the chooser needs of one account offered by the authorize page."""

    @property
    def hub_id(self) -> int:
        """The portal id."""

    @property
    def name(self) -> str:
        """The portal name."""

    @property
    def account_type(self) -> str:
        """`STANDARD`, `APP_DEVELOPER`, `DEVELOPER_TEST`, `SANDBOX`..."""

    @property
    def hub_domain(self) -> str:
        """The portal's domain."""

    @property
    def region(self) -> str:
        """Data hosting location (`na1`, `eu1`)."""


TYPE_FLAGS: dict[AccountType, tuple[str, str]] = {
    AccountType.STANDARD: ("  STANDARD", "$text-success"),
    AccountType.APP_DEVELOPER: ("✖ DEVELOPER — apps can't be installed here", "$text-error"),
    AccountType.DEVELOPER_TEST: ("⚠ TEST — 90-day trial", "$text-warning"),
    AccountType.SANDBOX: ("⚠ SANDBOX — copy of production", "$text-warning"),
    AccountType.UNKNOWN: ("? UNKNOWN", "$foreground-muted"),
}
"""How each account type is flagged in the list."""


def choice_prompt(choice: Choice, *, pointer: bool = False) -> Content:
    """One option: hub id, name, domain, region, and the type flag.

    `pointer` marks the highlighted option with `▶`, so the cursor reads without colour too.
    """
    kind = AccountType.parse(choice.account_type)
    flag, style = TYPE_FLAGS[kind]
    return Content.assemble(
        Content.styled("▶ " if pointer else "  ", "bold"),
        Content.styled(f"{choice.hub_id}  ", "bold"),
        Content(f"{choice.name}"),
        Content.styled(f"  {choice.hub_domain} · {choice.region}", "$foreground-muted"),
        "\n     ",
        Content.styled(flag, style),
    )


FetchChoices = Callable[[], Awaitable[Sequence[Choice]]]


class ChooserScreen(ModalScreen[int | None]):
    """Fetch the authorize page's accounts, let the user pick one; dismiss with its hub id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "cancel", "Cancel"),
    ]

    def __init__(self, fetch: FetchChoices) -> None:
        """Build the chooser.

        Args:
            fetch: Coroutine factory returning the accounts offered (runs in a worker).
        """
        super().__init__()
        self._fetch = fetch
        self._choices: list[Choice] = []
        self._pointed: int | None = None

    def compose(self) -> ComposeResult:
        """Title, a loading indicator, then the list."""
        with Vertical(classes="dialog chooser-dialog"):
            yield Static("Choose an Account", classes="dialog-title")
            yield Static(
                "The sandbox's HubSpot account picker. Pick the MAIN account (STANDARD, "
                "with Products). enter chooses, esc cancels.",
                classes="dialog-text",
            )
            yield LoadingIndicator(id="chooser-loading")
            yield OptionList(id="chooser-list")
            yield Static("", id="chooser-error", classes="error-line")

    def on_mount(self) -> None:
        """Fetch the choices off the event loop."""
        self.query_one("#chooser-list", OptionList).display = False
        self._load()

    @work(exclusive=True, group="chooser", exit_on_error=False)
    async def _load(self) -> None:
        try:
            choices = await self._fetch()
        except HubSpotError as exc:
            self._show_error(error_text(exc))
            return
        except Exception as exc:
            # The authorize page's own error (unknown client id, unregistered redirect...) carries
            # a `message`; anything else is a transport failure.
            message = getattr(exc, "message", "")
            self._show_error(
                f"HubSpot showed an error page: {message}"
                if isinstance(message, str) and message
                else f"Could not reach the authorize page ({type(exc).__name__})"
            )
            return
        self.query_one("#chooser-loading").display = False
        options = self.query_one("#chooser-list", OptionList)
        self._choices = list(choices)
        options.add_options(Option(choice_prompt(c), id=str(c.hub_id)) for c in self._choices)
        options.display = True
        if options.option_count:
            options.highlighted = 0
        options.focus()

    def _show_error(self, text: str) -> None:
        self.query_one("#chooser-loading").display = False
        self.query_one("#chooser-error", Static).update(Content(f"✖ {text}"))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Move the `▶` pointer to the highlighted account."""
        options = event.option_list
        for index, pointer in ((self._pointed, False), (event.option_index, True)):
            if index is not None and 0 <= index < len(self._choices):
                prompt = choice_prompt(self._choices[index], pointer=pointer)
                options.replace_option_prompt_at_index(index, prompt)
        self._pointed = event.option_index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Choose the account."""
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
