"""Signing in at the till, and asking for the owner's PIN in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storebox import users
from storebox.errors import AuthenticationFailed, PermissionDenied
from storebox.shop import Shop
from storebox.users import Actor
from ui.ops import CoreOp
from ui.widgets.pin import PinEntry

if TYPE_CHECKING:
    from ui.cashier.window import CashierWindow


class SignInScreen(QWidget):
    """Who works the till: pick your name, type your PIN."""

    signed_in = Signal(object)

    def __init__(self, window: CashierWindow) -> None:
        super().__init__(window)
        self.win = window
        self.setObjectName("signin")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.heading = QLabel(self)
        self.heading.setObjectName("heading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.heading)
        self.people_box = QHBoxLayout()
        self.people_box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addLayout(self.people_box)
        self.people = QButtonGroup(self)
        self.people.setExclusive(True)
        row = QHBoxLayout()
        row.addStretch(1)
        self.pin = PinEntry(self)
        self.pin.setMaximumWidth(360)
        self.pin.submitted.connect(self._try)
        row.addWidget(self.pin)
        row.addStretch(1)
        outer.addLayout(row)
        self.message = QLabel(self)
        self.message.setObjectName("signinMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(self.message)
        outer.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(self.tr("Sign in: choose your name and enter your PIN"))
        self.pin.keypad.set_ok_text(self.tr("Sign in"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def load_people(self) -> None:
        CoreOp(self, lambda: users.list_users(self.win.shop)).success(self._show_people).run()

    def _show_people(self, people: list[Actor]) -> None:
        for button in self.people.buttons():
            self.people.removeButton(button)
            button.deleteLater()
        for actor in people:
            button = QPushButton(actor.name, self)
            button.setObjectName("personButton")
            button.setCheckable(True)
            button.setProperty("user_name", actor.name)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.people.addButton(button)
            self.people_box.addWidget(button)
        buttons = self.people.buttons()
        if buttons:
            buttons[0].setChecked(True)
            self.message.clear()
        else:
            self.message.setText(
                self.tr(
                    "Nobody can sign in yet. Create the owner first: storebox users add --role owner --name NAME"
                )
            )
        self.pin.field.setFocus()

    def selected_name(self) -> str | None:
        button = self.people.checkedButton()
        return None if button is None else str(button.property("user_name"))

    def _try(self, pin: str) -> None:
        name = self.selected_name()
        if name is None:
            self.message.setText(self.tr("Choose your name first."))
            return
        self.message.clear()
        CoreOp(self, lambda: users.authenticate(self.win.shop, name, pin)).success(
            self.signed_in.emit
        ).failure(lambda exc: self.message.setText(getattr(exc, "message", str(exc)))).run()


class OwnerPinDialog(QDialog):
    """'The owner's PIN is needed to …', asked in place, over whatever the cashier was doing."""

    def __init__(self, parent: QWidget, shop: Shop, reason: str) -> None:
        super().__init__(parent)
        self.setObjectName("ownerPin")
        self.setWindowTitle(self.tr("Owner approval"))
        self.shop = shop
        self.approved: Actor | None = None
        layout = QVBoxLayout(self)
        self.reason = QLabel(reason, self)
        self.reason.setWordWrap(True)
        layout.addWidget(self.reason)
        self.pin = PinEntry(self)
        self.pin.submitted.connect(self._try)
        layout.addWidget(self.pin)
        self.message = QLabel(self)
        self.message.setObjectName("errorText")
        layout.addWidget(self.message)
        cancel = QPushButton(self.tr("Cancel (Esc)"), self)
        # Not the dialog's default button: Enter in the PIN field submits the PIN (it would
        # otherwise also "click" Cancel and close the dialog before the PIN is checked).
        cancel.setAutoDefault(False)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cancel.clicked.connect(self.reject)
        layout.addWidget(cancel)

    def _try(self, pin: str) -> None:
        def check() -> Actor:
            owners = [a for a in users.list_users(self.shop) if a.is_owner]
            if not owners:
                raise PermissionDenied(self.tr("This shop has no owner account."))
            last: Exception | None = None
            for owner in owners:
                try:
                    return users.authenticate(self.shop, owner.name, pin)
                except AuthenticationFailed as exc:
                    last = exc
            assert last is not None
            raise last

        CoreOp(self, check).success(self._approved).failure(
            lambda exc: self.message.setText(getattr(exc, "message", str(exc)))
        ).run()

    def _approved(self, actor: Actor) -> None:
        self.approved = actor
        self.accept()


def ask_owner(parent: QWidget, shop: Shop, reason: str, then: Callable[[Actor], None]) -> None:
    """Ask for the owner's PIN (unless the signed-in person is the owner), then continue."""
    window = parent.window()
    actor = getattr(window, "actor", None)
    if isinstance(actor, Actor) and actor.is_owner:
        then(actor)
        return
    dialog = OwnerPinDialog(parent, shop, reason)
    dialog.finished.connect(lambda _r: then(dialog.approved) if dialog.approved else None)
    dialog.open()
