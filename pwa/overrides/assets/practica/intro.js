/* Practica: introductions (issue 17). On /me/, a signed-in reader without a profile on the site introduces
 * themselves (photo, motto, what they are learning, where they work, the communities they joined), changes or
 * deletes it. On a community hub, "New members" (faces, names, motto, learning) and, for its stewards, "Invite new
 * members to introduce themselves". practica.js loads this script only on pages with either section and a
 * community service; it then runs on every page change. Readers' words are only ever inserted as text; photos come
 * from the service, which re-encoded them, or from the site's own profile photos.
 */
(() => {
  "use strict";

  const { endpoints: ENDPOINTS, urls: URLS } = practica;
  const ID = practica.identity;
  if (!ID || !ID.api) return;
  const SERVICE_ROOT = ID.api.replace(/\/api\/v1$/, "");   // photo paths are /api/v1/photos/<id>
  const cards = {};

  const el = practica.el;   // shared.js: an element with attributes and text, never HTML
  const tr = practica.tr;   // shared.js: an interface string in the page's language
  function refusal(answer) {
    const error = answer.data && answer.data.error;
    if (answer.status === 429) return tr("Too many changes in a short time. Try again later.");
    if (answer.status === 401) return tr("Sign in again to do that.");
    if (answer.status === 413) return tr("That photo is too large: choose one of at most 2 MB.");
    return error && error.message ? error.message : tr("The service refused that (%(status)s).", { status: answer.status });
  }
  function photoUrl(path) { return SERVICE_ROOT + path; }

  /* A site person's small card (me/people/<id>.json: {url, photo?, photo_large?}), fetched once per page load. */
  function card(person) {
    if (!cards[person]) {
      cards[person] = fetch(new URL(URLS.mePeople + encodeURIComponent(person) + ".json", ID.root))
        .then((response) => response.ok ? response.json() : null).catch(() => null);
    }
    return cards[person];
  }

  /* A face: an introduced person's photo, a site person's profile photo, else their initials. */
  function face(member) {
    const initials = el("span", { class: "pr-member__face pr-member__face--initials", "aria-hidden": "true",
      text: member.name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w.charAt(0)).join("").toUpperCase() });
    const show = (src) => {
      const img = el("img", { class: "pr-member__face", alt: "", width: 48, height: 48, decoding: "async" });
      img.addEventListener("load", () => { if (initials.isConnected) initials.replaceWith(img); });
      img.src = src;
    };
    if (member.photo) show(photoUrl(member.photo));
    else if (member.person) card(member.person).then((found) => { if (found && found.photo) show(new URL(found.photo, ID.root).href); });
    return initials;
  }

  /* ---------- A community's new members ---------- */
  function members(section) {
    const community = section.dataset.prMembers;
    const list = section.querySelector("[data-members-list]");
    const status = section.querySelector("[data-members-status]");
    const steward = section.querySelector("[data-members-steward]");
    const invite = section.querySelector("[data-members-invite]");
    const empty = section.querySelector("[data-members-empty]");
    let working = false;

    function item(member) {
      const name = member.person
        ? el("a", { class: "pr-member__name", href: new URL(URLS.people + encodeURIComponent(member.person) + "/", ID.root).href, text: member.name })
        : el("span", { class: "pr-member__name", text: member.name });
      const about = el("div", { class: "pr-member__about" }, name);
      if (member.motto) about.append(el("span", { class: "pr-member__motto", text: "“" + member.motto + "”" }));
      if (member.learning) about.append(el("span", { class: "pr-member__fact", text: tr("Learning: %(what)s", { what: member.learning }) }));
      if (member.workplace) about.append(el("span", { class: "pr-member__fact", text: tr("Works in: %(where)s", { where: member.workplace }) }));
      return el("li", { class: "pr-member" }, face(member), about);
    }

    function load() {
      return ID.call("GET", "/communities/" + encodeURIComponent(community) + "/new-members").then((answer) => {
        if (!answer.ok) { section.hidden = true; return; }
        const data = answer.data;
        list.replaceChildren(...data.members.map(item));
        empty.hidden = data.members.length > 0;
        steward.hidden = !data.moderator;
        section.hidden = !data.members.length && !data.moderator;
      }, () => { section.hidden = true; });
    }

    invite.addEventListener("click", () => {
      if (working) return;
      working = true;
      ID.call("POST", "/communities/" + encodeURIComponent(community) + "/introduction-round", { body: {} }).then((answer) => {
        working = false;
        if (!answer.ok) { status.textContent = refusal(answer); return; }
        const n = answer.data.invited;
        const opened = answer.data.opened ? tr("Opened “%(title)s”.", { title: answer.data.thread.title }) + " " : "";
        const invited = n === 1 ? tr("Invited 1 new member to introduce themselves.")
          : tr("Invited %(num)s new members to introduce themselves.", { num: n });
        status.textContent = opened + (n ? invited : tr("Everyone new has been invited already, or has introduced themselves."));
      }, () => {
        working = false;
        status.textContent = tr("The service cannot be reached. Try again when you are online.");
      });
    });
    load();
  }

  /* ---------- Your introduction, on /me/ ---------- */
  function introduction(section) {
    const form = section.querySelector("[data-intro-form]");
    const status = section.querySelector("[data-intro-status]");
    const photo = section.querySelector("[data-intro-photo]");
    const file = form.elements.photo;
    const removePhoto = section.querySelector('[data-intro-action="remove-photo"]');
    const remove = section.querySelector('[data-intro-action="delete"]');
    const communities = section.querySelector("[data-intro-communities]");
    let working = false;

    function say(text) { status.textContent = text; }
    function show(intro) {
      ["motto", "learning", "workplace"].forEach((name) => { form.elements[name].value = intro ? intro[name] : ""; });
      communities.querySelectorAll("input").forEach((box) => { box.checked = !!intro && intro.communities.includes(box.value); });
      photo.hidden = !(intro && intro.photo);
      if (intro && intro.photo) photo.src = photoUrl(intro.photo);
      else photo.removeAttribute("src");
      removePhoto.hidden = photo.hidden;
      remove.hidden = !intro;
      file.value = "";
    }
    function offer(topics) {
      communities.append(...topics.map((topic) => el("label", { class: "pr-me__choice" },
        el("input", { type: "checkbox", name: "communities", value: topic.id }), " ", el("span", { text: topic.name }))));
    }
    function uploadPhoto() {
      const chosen = file.files && file.files[0];
      if (!chosen) return Promise.resolve({ ok: true });
      const headers = { "Content-Type": chosen.type || "application/octet-stream" };
      const demo = ID.demoPerson();
      if (demo) headers[practica.demoHeader] = demo.id;
      return fetch(ID.api + ENDPOINTS.introduction + "/photo", { method: "PUT", headers, body: chosen, credentials: "include", cache: "no-store" })
        .then((response) => response.text().then((text) => {
          let data;
          try { data = JSON.parse(text); } catch { data = null; }
          return { ok: response.ok, status: response.status, data };
        }));
    }
    function run(step, done) {
      if (working) return;
      working = true;
      say(tr("Saving…"));
      step().then((answer) => {
        working = false;
        if (!answer.ok) { say(refusal(answer)); return; }
        say(done);
      }, () => {
        working = false;
        say(tr("The service cannot be reached. Nothing has changed; try again when you are online."));
      });
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { motto: form.elements.motto.value, learning: form.elements.learning.value,
        workplace: form.elements.workplace.value,
        communities: Array.from(communities.querySelectorAll("input:checked"), (box) => box.value) };
      run(() => ID.call("PUT", ENDPOINTS.introduction, { body })
        .then((saved) => saved.ok ? uploadPhoto().then((sent) => sent.ok ? ID.call("GET", ENDPOINTS.introduction) : sent) : saved)
        .then((answer) => { if (answer.ok) show(answer.data.introduction); return answer; }),
      tr("Your introduction is saved."));
    });
    removePhoto.addEventListener("click", () => {
      run(() => ID.call("DELETE", ENDPOINTS.introduction + "/photo").then((answer) => {
        if (answer.ok) { photo.hidden = removePhoto.hidden = true; form.elements.motto.focus(); }
        return answer;
      }), tr("Your photo is removed."));
    });
    remove.addEventListener("click", () => {
      run(() => ID.call("DELETE", ENDPOINTS.introduction).then((answer) => {
        if (answer.ok) { show(null); form.elements.motto.focus(); }
        return answer;
      }), tr("Your introduction is deleted."));
    });

    ID.who().then((auth) => {
      if (!(auth.ok && auth.data && auth.data.reader)) return null;
      return Promise.all([ID.call("GET", ENDPOINTS.introduction), ID.call("GET", ENDPOINTS.options)]);
    }).then((answers) => {
      if (!answers || !answers[0].ok) return;
      section.hidden = false;
      if (!answers[0].data.can_introduce) {
        section.querySelector("[data-intro-profile]").hidden = false;
        return;
      }
      offer(answers[1].ok ? answers[1].data.topics : []);
      show(answers[0].data.introduction);
      form.hidden = false;
    }).catch(() => { section.hidden = true; });
  }

  practica.onPage(() => {
    document.querySelectorAll("[data-pr-members]:not([data-pr-ready])").forEach((section) => {
      section.dataset.prReady = "1";
      members(section);
    });
    document.querySelectorAll("[data-pr-intro]:not([data-pr-ready])").forEach((section) => {
      section.dataset.prReady = "1";
      introduction(section);
    });
  });
})();
