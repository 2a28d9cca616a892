/* Participant pages: directory suggestions while typing, and a confirmation before cancelling.
   Loaded as a file (the Content-Security-Policy allows no inline script); the pages work
   without it: the search form and the buttons are plain HTML forms. */
(function () {
  "use strict";

  function suggestPeople(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-people-url");
    var timer = null;
    var last = "";
    if (!list || !url) {
      return;
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2 || q === last) {
          return;
        }
        last = q;
        window.fetch(url + "?q=" + encodeURIComponent(q), {
          credentials: "same-origin",
          headers: {"Accept": "application/json"}
        }).then(function (response) {
          return response.ok ? response.json() : {people: []};
        }).then(function (data) {
          list.replaceChildren();
          data.people.forEach(function (person) {
            var option = document.createElement("option");
            option.value = person.name;
            option.label = person.organisation || "";
            list.appendChild(option);
          });
        }).catch(function () {
          list.replaceChildren();
        });
      }, 200);
    });
  }

  document.querySelectorAll("input[data-people-url]").forEach(suggestPeople);

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

})();
