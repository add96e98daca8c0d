// F11 live offer totals: mirrors carflow/services/money.py compute_totals (the server
// recomputes on save). VAT is charged on the price after discount; the trade-in value is
// deducted from the amount to pay after VAT. Exact arithmetic in integer cents (BigInt),
// VAT rounded half-up to the cent. Numbers are formatted in the page's locale
// (data-locale / data-currency on the totals table).
(function () {
  "use strict";

  var AMOUNT = /^\+?(\d+)(?:\.(\d*))?$/;

  // "56800.5" -> 5680050n (cents, rounded half-up like Decimal.quantize); "" -> 0n; bad -> null
  function toCents(text) {
    var value = (text || "").trim();
    if (value === "") { return 0n; }
    var match = AMOUNT.exec(value);
    if (!match) { return null; }
    var fraction = (match[2] || "") + "000";
    var cents = BigInt(match[1]) * 100n + BigInt(fraction.slice(0, 2));
    return fraction.charAt(2) >= "5" ? cents + 1n : cents;
  }

  function compute(price, discount, tradeIn, rate) {
    if ([price, discount, tradeIn, rate].some(function (v) { return v === null; })) { return null; }
    if (discount > price || rate > 10000n) { return null; }
    var net = price - discount;
    var vat = (net * rate + 5000n) / 10000n;  // rate in hundredths of a percent; half-up
    var total = net + vat;
    if (tradeIn > total) { return null; }
    return { net: net, vat: vat, total: total, trade_in: tradeIn, payable: total - tradeIn };
  }

  function setup(table) {
    var form = table.closest("form");
    var field = function (name) { return form.querySelector("[name=" + name + "]"); };
    var price = field("list_price");
    var discount = field("discount");
    var pick = field("trade_in_id");
    var deduction = field("trade_in_deduction");
    var rate = field("vat_rate");
    if (!price || !rate) { return; }
    var locale = table.dataset.locale || undefined;
    var money = new Intl.NumberFormat(locale, { style: "currency", currency: table.dataset.currency || "EUR" });
    var percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 });

    function cell(name) { return table.querySelector("[data-total=" + name + "]"); }
    function euros(cents) { return money.format(Number(cents) / 100); }

    function tradeInCents() {
      var option = pick && pick.selectedOptions[0];
      if (!option || !option.dataset.offeredValue) { return 0n; }  // no trade-in picked
      var typed = deduction ? deduction.value.trim() : "";
      return toCents(typed === "" ? option.dataset.offeredValue : typed);
    }

    function update() {
      var rateCents = toCents(rate.value);
      var totals = compute(toCents(price.value), discount ? toCents(discount.value) : 0n,
        tradeInCents(), rateCents);
      cell("rate").textContent = rateCents === null ? "" : percent.format(Number(rateCents) / 10000);
      ["net", "vat", "total", "trade_in", "payable"].forEach(function (name) {
        var text = "—";
        if (totals && price.value.trim() !== "") {
          text = (name === "trade_in" ? "− " : "") + euros(totals[name]);
        }
        cell(name).textContent = text;
      });
    }

    [price, discount, pick, deduction, rate].forEach(function (input) {
      if (input) {
        input.addEventListener("input", update);
        input.addEventListener("change", update);
      }
    });
    update();
  }

  document.querySelectorAll("table.offer-totals[data-locale]").forEach(setup);
})();
