// Task overview agenda (F28): FullCalendar day / week views fed by the JSON endpoint.
(function () {
  "use strict";
  var el = document.getElementById("task-calendar");
  if (!el || !window.FullCalendar) { return; }
  var calendar = new window.FullCalendar.Calendar(el, {
    initialView: "timeGridWeek",
    locale: el.getAttribute("data-locale") || "en",
    // The user's time zone (named zones need the Luxon plugin, loaded before this file).
    timeZone: window.FullCalendar.Luxon3 ? (el.getAttribute("data-timezone") || "local") : "local",
    firstDay: 1,
    nowIndicator: true,
    defaultTimedEventDuration: "00:30",
    height: "auto",
    slotMinTime: "07:00:00",
    slotMaxTime: "21:00:00",
    headerToolbar: { left: "prev,next today", center: "title", right: "timeGridDay,timeGridWeek,listWeek" },
    events: { url: el.getAttribute("data-events-url") },
    eventDidMount: function (info) {
      var props = info.event.extendedProps;
      info.el.setAttribute("data-kind", props.kind);
      if (props.overdue) {
        // The page's translation, e.g. "{title} (en retard)".
        var label = el.getAttribute("data-label-overdue") || "{title}";
        info.el.setAttribute("title", label.replace("{title}", info.event.title));
      }
    }
  });
  calendar.render();
  // The toolbar's arrow icons are drawn as role="img" without a name; their buttons carry
  // the label (title / aria-label), so the icons are hidden from assistive technology.
  el.querySelectorAll(".fc-icon").forEach(function (icon) {
    icon.setAttribute("aria-hidden", "true");
    icon.removeAttribute("role");
  });
})();
