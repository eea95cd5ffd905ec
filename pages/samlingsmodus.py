"""Samlingsmodus: one figure per screen with its one-sentence finding, filling any screen from 1024×768 to
3840×2160; keys and presenter clickers change slide; the slide number is in the URL (?lysbilde=3).
Works offline: all data is local.

Decks: ?sett=kommune (the last viewed municipality against its most similar ones and its county; also
what an empty address opens), ?sett=befolkning (the network municipalities), ?sett=<id> (a saved deck),
or the current comparison (?kommuner=…&indikatorer=…&visning=…&basisaar=…).

The sections live in nokkeltall/ui/slideshow.py.
"""

from nokkeltall.compare import slides
from nokkeltall.ui import slideshow
from nokkeltall.ui.frame import ensure_app_navigation

ensure_app_navigation()

slideshow.page_style()  # the page is one screen: no sidebar, large type, the chart takes the height left
deck, chosen, problems, opened = slideshow.current_deck()  # never empty; says what could not be used
go, scale = slideshow.keys()  # →/PageDown/Space/N, ←/PageUp/P, Home/End; the screen's font scale
position, problem = slides.slide_position(slideshow.position_param(), len(deck.slides))
position = slideshow.follow(position, len(deck.slides), go)  # a key moves the slide and the address
slideshow.show_slide(deck, position, scale, problems + ([problem] if problem else []))
slideshow.controls(deck, position, chosen, opened)  # ◀ ▶ and the menu: downloads, decks, saving
