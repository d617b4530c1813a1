// The first-run privacy question: on the first page where an experience shows, until
// the user has chosen, a small non-modal dialog in the overlay's shadow root
// (consent-dialog.js, loaded only when needed). "Allow" turns every purpose on, "Only
// essential" every one off; its link opens the settings page's preference centre. Esc
// hides it for this page only: no choice is assumed, so the next page asks again.

import { log } from "../shared/log.js";
import { MSG } from "../shared/messages.js";
import { send } from "./bridge.js";
import { guard } from "./safe.js";

let loading = null;

/** The dialog module, imported once per page. */
function dialogModule() {
  loading ??= import(chrome.runtime.getURL("consent.js")).catch((err) => {
    loading = null;
    throw err;
  });
  return loading;
}

export class ConsentPrompt {
  /** @param {import("./overlay.js").Overlay} overlay */
  constructor(overlay) {
    this.overlay = overlay;
    this.dialog = null;
    this.asking = false;
    // Esc: not in this document again (a new page asks again).
    this.hiddenHere = false;
  }

  /**
   * Call whenever experiences are on screen. Asks the worker (answered from its cache)
   * and shows the dialog while the user is undecided; closes it once they have chosen
   * (in this tab or another).
   */
  maybeAsk() {
    if (this.asking || this.hiddenHere) return;
    this.asking = true;
    send({ type: MSG.CONTENT_CONSENT, op: "get" })
      .then(async (answer) => {
        const consent = answer?.consent;
        // Unknown (the server could not be asked): say nothing now, ask again later.
        if (!consent) return;
        if (consent.decided_at) this.close();
        else if (!this.dialog?.isConnected && !this.hiddenHere) await this.#show();
      })
      .catch((err) => log.error("privacy question failed:", err))
      .finally(() => {
        this.asking = false;
      });
  }

  async #show() {
    const { showConsentDialog } = await dialogModule();
    // The experiences may have gone while the module loaded: then there is no overlay.
    if (!this.overlay.host || this.dialog?.isConnected) return;
    this.dialog = showConsentDialog(this.overlay.root(), {
      choose: guard((choice) => {
        this.close();
        send({ type: MSG.CONTENT_CONSENT, op: "set", choice });
      }, "consent choice"),
      openSettings: guard(() => send({ type: MSG.CONTENT_OPEN_PRIVACY }), "consent settings link"),
      hide: guard(() => {
        this.hiddenHere = true;
        this.close();
      }, "consent hide"),
    });
  }

  close() {
    this.dialog?.remove();
    this.dialog = null;
  }
}
