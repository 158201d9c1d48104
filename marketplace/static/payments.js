// Card payment on the invoice page: Stripe.js card Element → token → our server creates and confirms the
// PaymentIntent → 3-D Secure on the page if Stripe asks → poll our status URL until the verified webhook has paid
// the order (the page never marks anything paid itself).
(function () {
  "use strict";
  const root = document.querySelector("[data-card-payment]");
  if (!root || typeof window.Stripe !== "function") return;

  const stripe = window.Stripe(root.dataset.publishableKey);
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  const button = root.querySelector("[data-action=pay-card]");
  const message = root.querySelector("[data-card-message]");
  const progress = root.querySelector("[data-card-progress]");
  const POLL_MS = 1500;
  const POLL_LIMIT = 80; // two minutes
  let busy = false;

  function showError(text) {
    message.textContent = text || root.dataset.textError;
    message.hidden = false;
    progress.hidden = true;
    busy = false;
    button.disabled = false;
  }

  function showProgress(text) {
    message.hidden = true;
    progress.textContent = text;
    progress.hidden = false;
  }

  async function poll(url, left) {
    let body;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (body && body.paid) {
      showProgress(root.dataset.textPaid);
      window.location.assign(root.dataset.orderUrl);
      return;
    }
    if (body && body.failed) {
      showError(body.message);
      return;
    }
    if (left <= 0) {
      showProgress(root.dataset.textSlow);
      return;
    }
    window.setTimeout(() => poll(url, left - 1), POLL_MS);
  }

  async function pay(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    button.disabled = true;
    message.hidden = true;
    const tokenResult = await stripe.createToken(card);
    if (tokenResult.error) {
      showError(tokenResult.error.message);
      return;
    }
    let response;
    let body;
    try {
      response = await fetch(root.dataset.payUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
        body: JSON.stringify({ token: tokenResult.token.id }),
      });
      body = await response.json();
    } catch (error) {
      showError(null);
      return;
    }
    if (!response.ok) {
      showError(body && body.error && body.error.message);
      return;
    }
    if (body.failed) {
      showError(body.message);
      return;
    }
    if (body.client_secret) {
      const result = await stripe.confirmCardPayment(body.client_secret);
      if (result && result.error) {
        // The webhook will say the payment failed; show Stripe's words meanwhile.
        showProgress(result.error.message);
      }
    }
    showProgress(root.dataset.textWaiting);
    poll(body.status_url, POLL_LIMIT);
  }

  button.addEventListener("click", pay);
})();
