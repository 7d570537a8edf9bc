// Small enhancements; every page works without them.
"use strict";

// The arrival countdown on the tracking page, ticking each second from the server's "now".
function startCountdowns() {
  document.querySelectorAll(".countdown").forEach((element) => {
    const deadline = Date.parse(element.dataset.deadline);
    const offset = Date.parse(element.dataset.now) - Date.now();
    const tick = () => {
      const left = Math.round((deadline - (Date.now() + offset)) / 1000);
      const minutes = Math.floor(Math.abs(left) / 60);
      const seconds = String(Math.abs(left) % 60).padStart(2, "0");
      element.textContent = left >= 0 ? `${minutes} 分 ${seconds} 秒` : `已超时 ${minutes} 分 ${seconds} 秒`;
      element.classList.toggle("late", left < 0);
    };
    tick();
    setInterval(tick, 1000);
  });
}

// A submit button marked data-once is disabled after the first click. The server would
// answer a second submit with the same incident anyway (idempotency key); this only spares
// the round trip.
function guardDoubleSubmit() {
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[data-once]").forEach((button) => {
        setTimeout(() => { button.disabled = true; }, 0);
      });
    });
  });
}

// Sorting the rows of the page shown (the server orders the list by risk score).
function sortableTables() {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("thead th").forEach((header, column) => {
      const button = header.querySelector("button");
      if (!button) return;
      button.addEventListener("click", () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach((th) => th.hasAttribute("aria-sort") && th.setAttribute("aria-sort", "none"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = (row) => row.cells[column].textContent.trim();
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const order = !isNaN(x) && !isNaN(y) ? Number(x) - Number(y) : x.localeCompare(y, "zh");
          return ascending ? order : -order;
        });
        rows.forEach((row) => body.appendChild(row));
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  startCountdowns();
  guardDoubleSubmit();
  sortableTables();
});
