//! UI language: Danish by default, English by choice (a cookie set by
//! `/lang/{code}`). UI strings live here, one row per key.
use std::collections::BTreeMap;

use actix_web::HttpRequest;

use crate::domain::Lang;

pub const COOKIE: &str = "lang";

pub fn lang_of(req: &HttpRequest) -> Lang {
    req.cookie(COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_default()
}

/// Looks up a UI string; an unknown key shows itself, so a gap is visible.
pub fn t(lang: Lang, key: &str) -> &'static str {
    STRINGS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, da, en)| match lang {
            Lang::Da => *da,
            Lang::En => *en,
        })
        .unwrap_or("??")
}

pub fn strings(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    STRINGS
        .iter()
        .map(|(k, da, en)| {
            (
                *k,
                match lang {
                    Lang::Da => *da,
                    Lang::En => *en,
                },
            )
        })
        .collect()
}

/// (key, Danish, English)
const STRINGS: &[(&str, &str, &str)] = &[
    (
        "app_name",
        "Erhverv – Københavns Kommune",
        "Erhverv – City of Copenhagen",
    ),
    ("skip_to_content", "Gå til indhold", "Skip to content"),
    ("other_lang", "English", "Dansk"),
    ("other_lang_code", "en", "da"),
    ("nav_home", "Overblik", "Overview"),
    ("nav_businesses", "Virksomheder", "Businesses"),
    ("nav_followups", "Mine opfølgninger", "My follow-ups"),
    ("nav_contacts", "Mine kontakter", "My contacts"),
    ("nav_import", "Import", "Import"),
    ("nav_users", "Brugere", "Users"),
    ("nav_main", "Hovedmenu", "Main menu"),
    ("logout", "Log ud", "Sign out"),
    ("signed_in_as", "Logget ind som", "Signed in as"),
    // sign-in
    ("login_title", "Log ind", "Sign in"),
    (
        "login_intro",
        "Log ind med din medarbejderkonto.",
        "Sign in with your staff account.",
    ),
    ("username", "Brugernavn", "Username"),
    ("password", "Adgangskode", "Password"),
    ("login_button", "Log ind", "Sign in"),
    (
        "login_failed",
        "Forkert brugernavn eller adgangskode.",
        "Wrong username or password.",
    ),
    // errors
    ("error_400_title", "Forkert forespørgsel", "Bad request"),
    (
        "error_400",
        "Forespørgslen kunne ikke forstås.",
        "The request could not be understood.",
    ),
    ("error_403_title", "Ingen adgang", "Access denied"),
    (
        "error_403",
        "Din rolle giver ikke adgang til denne side.",
        "Your role does not give access to this page.",
    ),
    (
        "error_csrf_title",
        "Formularen er udløbet",
        "The form has expired",
    ),
    (
        "error_csrf",
        "Formularen er udløbet eller kom ikke fra denne side. Gå tilbage, genindlæs siden og prøv igen.",
        "The form has expired or did not come from this site. Go back, reload the page and try again.",
    ),
    ("error_404_title", "Siden findes ikke", "Page not found"),
    (
        "error_404",
        "Siden eller posten findes ikke (længere).",
        "The page or record does not exist (any more).",
    ),
    ("error_413_title", "For stor", "Too large"),
    (
        "error_413",
        "Det indsendte er for stort.",
        "What was sent is too large.",
    ),
    ("error_429_title", "For mange forsøg", "Too many attempts"),
    (
        "error_429",
        "For mange forsøg på kort tid. Vent lidt og prøv igen.",
        "Too many attempts in a short time. Wait a little and try again.",
    ),
    (
        "error_500_title",
        "Der skete en fejl",
        "Something went wrong",
    ),
    (
        "error_500",
        "Der skete en uventet fejl. Intet er gået tabt af det, der allerede var gemt. Prøv igen om lidt.",
        "An unexpected error occurred. Nothing already saved was lost. Please try again shortly.",
    ),
    ("back_home", "Til forsiden", "Go to the front page"),
    (
        "form_has_errors",
        "Formularen har fejl. Ret de markerede felter.",
        "The form has errors. Correct the marked fields.",
    ),
    // home
    ("home_title", "Overblik", "Overview"),
    (
        "home_businesses",
        "Aktive virksomheder",
        "Active businesses",
    ),
    (
        "home_contacts_30",
        "Kontakter de sidste 30 dage",
        "Contacts in the last 30 days",
    ),
    (
        "home_my_due",
        "Mine opfølgninger, der er forfaldne",
        "My follow-ups that are due",
    ),
    (
        "home_by_district",
        "Virksomheder pr. bydel",
        "Businesses by district",
    ),
    (
        "district_other",
        "Uden for Københavns Kommune / ukendt",
        "Outside Copenhagen Municipality / unknown",
    ),
    // business list
    ("businesses_title", "Virksomheder", "Businesses"),
    ("filters", "Filtre", "Filters"),
    ("filter_apply", "Vis", "Show"),
    ("filter_reset", "Nulstil", "Reset"),
    ("all", "Alle", "All"),
    ("mine", "Mine", "Mine"),
    ("unassigned", "Ingen konsulent", "No consultant"),
    ("status", "Status", "Status"),
    ("status_active", "Aktiv", "Active"),
    ("status_ceased", "Ophørt", "Ceased"),
    ("sort", "Sortering", "Sort by"),
    ("sort_name", "Navn (A–Å)", "Name (A–Z)"),
    ("sort_name_desc", "Navn (Å–A)", "Name (Z–A)"),
    ("sort_cvr", "CVR-nummer", "CVR number"),
    ("sort_updated", "Senest ændret", "Recently changed"),
    ("results_count", "virksomheder", "businesses"),
    ("page", "Side", "Page"),
    ("of", "af", "of"),
    ("previous", "Forrige", "Previous"),
    ("next", "Næste", "Next"),
    ("pagination", "Sider", "Pages"),
    (
        "no_results",
        "Ingen virksomheder matcher filtrene.",
        "No businesses match the filters.",
    ),
    ("new_business", "Opret virksomhed", "New business"),
    // business fields
    ("cvr", "CVR-nummer", "CVR number"),
    ("name", "Navn", "Name"),
    ("company_form", "Virksomhedsform", "Company form"),
    ("address", "Adresse", "Address"),
    ("street", "Vej og husnummer", "Street and number"),
    ("postal_code", "Postnummer", "Postal code"),
    ("city", "By", "City"),
    ("district", "Bydel", "District"),
    ("industry", "Branche", "Industry"),
    (
        "industry_code",
        "Branchekode (DB07)",
        "Industry code (DB07)",
    ),
    ("industry_section", "Branchehovedgruppe", "Industry section"),
    ("employees", "Antal ansatte", "Employees"),
    ("size", "Størrelse", "Size"),
    ("consultant", "Virksomhedskonsulent", "Business consultant"),
    ("segments", "Segmenter", "Segments"),
    (
        "advertising_protected",
        "Reklamebeskyttet",
        "Advertising protected",
    ),
    (
        "advertising_protected_hint",
        "Virksomheden har frabedt sig henvendelser, der ikke vedrører en sag.",
        "The business has opted out of contact that is not about a case.",
    ),
    ("active", "Aktiv", "Active"),
    ("email", "E-mail", "Email"),
    ("phone", "Telefon", "Phone"),
    ("notes", "Noter", "Notes"),
    ("source", "Kilde", "Source"),
    ("none", "Ingen", "None"),
    ("choose", "Vælg …", "Choose …"),
    ("yes", "Ja", "Yes"),
    ("no", "Nej", "No"),
    ("save", "Gem", "Save"),
    ("cancel", "Annuller", "Cancel"),
    ("edit", "Rediger", "Edit"),
    ("delete", "Slet", "Delete"),
    ("remove", "Fjern", "Remove"),
    ("edit_business", "Rediger virksomhed", "Edit business"),
    (
        "business_saved",
        "Virksomheden er gemt.",
        "The business has been saved.",
    ),
    (
        "business_created",
        "Virksomheden er oprettet.",
        "The business has been created.",
    ),
    (
        "cvr_exists",
        "En virksomhed med dette CVR-nummer findes allerede:",
        "A business with this CVR number already exists:",
    ),
    (
        "cvr_cannot_change",
        "CVR-nummeret kan ikke ændres.",
        "The CVR number cannot be changed.",
    ),
    (
        "p_units",
        "Produktionsenheder (P-numre)",
        "Production units (P-numbers)",
    ),
    ("p_number", "P-nummer", "P-number"),
    ("add_p_unit", "Tilføj P-enhed", "Add production unit"),
    (
        "p_unit_added",
        "P-enheden er tilføjet.",
        "The production unit has been added.",
    ),
    (
        "p_unit_removed",
        "P-enheden er fjernet.",
        "The production unit has been removed.",
    ),
    (
        "p_number_exists",
        "P-nummeret er allerede registreret.",
        "The P-number is already registered.",
    ),
    (
        "no_p_units",
        "Ingen P-enheder registreret.",
        "No production units registered.",
    ),
    ("contact_persons", "Kontaktpersoner", "Contact persons"),
    ("person_name", "Navn", "Name"),
    ("person_role", "Stilling", "Role"),
    ("primary", "Primær", "Primary"),
    ("primary_contact", "Primær kontaktperson", "Primary contact"),
    ("add_person", "Tilføj kontaktperson", "Add contact person"),
    (
        "person_added",
        "Kontaktpersonen er tilføjet.",
        "The contact person has been added.",
    ),
    (
        "person_removed",
        "Kontaktpersonen er fjernet.",
        "The contact person has been removed.",
    ),
    (
        "no_persons",
        "Ingen kontaktpersoner registreret.",
        "No contact persons registered.",
    ),
    ("timeline", "Kontakthistorik", "Contact history"),
    (
        "no_contacts",
        "Ingen kontakter registreret endnu.",
        "No contacts logged yet.",
    ),
    ("log_contact", "Registrer kontakt", "Log contact"),
    ("facts", "Stamdata", "Details"),
    (
        "cvr_hint",
        "8 cifre, fx 10150817.",
        "8 digits, e.g. 10150817.",
    ),
    (
        "postal_code_hint",
        "Bydelen udledes af postnummeret.",
        "The district is derived from the postal code.",
    ),
    (
        "industry_code_hint",
        "DB07-branchekode med 6 cifre, fx 561010.",
        "DB07 industry code, 6 digits, e.g. 561010.",
    ),
    (
        "size_hint",
        "Bruges, når antal ansatte ikke er kendt.",
        "Used when the number of employees is not known.",
    ),
    ("p_number_hint", "10 cifre.", "10 digits."),
    ("required", "skal udfyldes", "required"),
    (
        "errors_in_form",
        "Formularen har fejl",
        "The form has errors",
    ),
    (
        "go_to_first_error",
        "Gå til første fejl",
        "Go to the first error",
    ),
    // contacts
    ("channel", "Kontaktform", "Channel"),
    ("occurred_at", "Tidspunkt", "When"),
    ("subject", "Emne", "Subject"),
    ("outcome", "Resultat", "Outcome"),
    ("follow_up_on", "Opfølgning senest", "Follow up by"),
    (
        "follow_up_hint",
        "Valgfri. Opfølgningen kommer på din liste over opfølgninger.",
        "Optional. The follow-up goes on your list of follow-ups.",
    ),
    (
        "contact_saved",
        "Kontakten er registreret.",
        "The contact has been logged.",
    ),
    ("by", "af", "by"),
    ("business", "Virksomhed", "Business"),
    ("followups_title", "Mine opfølgninger", "My follow-ups"),
    (
        "followups_intro",
        "Forfaldne og dagens opfølgninger først.",
        "Overdue and today's follow-ups first.",
    ),
    ("overdue", "Forfalden", "Overdue"),
    ("due_today", "I dag", "Today"),
    ("upcoming", "Kommende", "Upcoming"),
    ("mark_done", "Marker som udført", "Mark as done"),
    (
        "followup_done",
        "Opfølgningen er markeret som udført.",
        "The follow-up has been marked as done.",
    ),
    (
        "no_followups",
        "Du har ingen åbne opfølgninger.",
        "You have no open follow-ups.",
    ),
    ("my_contacts_title", "Mine kontakter", "My contacts"),
    ("date", "Dato", "Date"),
    (
        "invalid_datetime",
        "Angiv dato og klokkeslæt som dd-mm-åååå tt:mm.",
        "Give the date and time as dd-mm-yyyy hh:mm.",
    ),
    (
        "future_datetime",
        "Tidspunktet ligger i fremtiden.",
        "The time is in the future.",
    ),
    (
        "invalid_date",
        "Angiv en dato som dd-mm-åååå.",
        "Give a date as dd-mm-yyyy.",
    ),
    (
        "followup_before_contact",
        "Opfølgningen kan ikke ligge før kontakten.",
        "The follow-up cannot be before the contact.",
    ),
    // search
    (
        "search_label",
        "Søg efter virksomhed, CVR, adresse eller person",
        "Search for a business, CVR, address or person",
    ),
    ("search_placeholder", "Søg …", "Search …"),
    ("search_button", "Søg", "Search"),
    ("search_results", "Søgning", "Search"),
    ("hits", "resultater", "results"),
    (
        "no_hits",
        "Ingen resultater. Prøv et andet stavemåde eller færre ord.",
        "No results. Try another spelling or fewer words.",
    ),
    ("remove_filter", "fjern filter", "remove filter"),
    (
        "search_unavailable_title",
        "Søgning er midlertidigt utilgængelig",
        "Search is temporarily unavailable",
    ),
    (
        "search_unavailable",
        "Søgemaskinen svarer ikke lige nu. Dine ændringer er gemt og bliver søgbare, så snart den er tilbage. Brug virksomhedslisten imens.",
        "The search engine is not answering right now. Your changes are saved and become searchable as soon as it is back. Use the list of businesses meanwhile.",
    ),
    ("kind_business", "Virksomhed", "Business"),
    ("kind_need", "Rekrutteringsbehov", "Recruitment need"),
    ("kind_initiative", "Initiativ", "Initiative"),
    ("kind_business_plural", "Virksomheder", "Businesses"),
    (
        "kind_need_plural",
        "Rekrutteringsbehov",
        "Recruitment needs",
    ),
    ("kind_initiative_plural", "Initiativer", "Initiatives"),
    ("facet_kind", "Type", "Type"),
    ("facet_district", "Bydel", "District"),
    ("facet_section", "Branche", "Industry"),
    ("facet_size", "Størrelse", "Size"),
    ("facet_consultant_id", "Konsulent", "Consultant"),
    ("facet_segments", "Segment", "Segment"),
    ("hl_title", "Navn", "Name"),
    ("hl_cvr", "CVR", "CVR"),
    ("hl_p_numbers", "P-nummer", "P-number"),
    ("hl_addresses", "Adresse", "Address"),
    ("hl_persons", "Kontaktperson", "Contact person"),
    ("hl_industry_text", "Branche", "Industry"),
    ("hl_consultant", "Konsulent", "Consultant"),
    ("hl_text", "Tekst", "Text"),
    // email
    (
        "email_schedule_title",
        "Planlæg opfølgningsmail",
        "Schedule a follow-up email",
    ),
    (
        "email_schedule_link",
        "Planlæg opfølgningsmail",
        "Schedule follow-up email",
    ),
    (
        "email_recipient",
        "Modtager (kontaktperson)",
        "Recipient (contact person)",
    ),
    ("email_template", "Skabelon", "Template"),
    (
        "email_template_followup",
        "Opfølgning (sagsrelateret)",
        "Follow-up (case-related)",
    ),
    (
        "email_template_event_invitation",
        "Invitation til arrangement (ikke sagsrelateret)",
        "Event invitation (not case-related)",
    ),
    (
        "email_language",
        "Sprog i e-mailen",
        "Language of the email",
    ),
    (
        "email_subject_hint",
        "Valgfri. Tom: skabelonens emne.",
        "Optional. Empty: the template's subject.",
    ),
    ("email_message", "Besked", "Message"),
    (
        "email_message_hint",
        "Valgfri. Tom: skabelonens tekst. Tom linje giver nyt afsnit.",
        "Optional. Empty: the template's text. A blank line starts a new paragraph.",
    ),
    (
        "email_date_hint",
        "Dansk tid. En dato i en weekend flyttes til mandag.",
        "Copenhagen time. A weekend date moves to Monday.",
    ),
    ("email_time", "Klokkeslæt", "Time"),
    (
        "email_invalid_time",
        "Angiv klokkeslæt som tt:mm.",
        "Give the time as hh:mm.",
    ),
    (
        "email_in_past",
        "Tidspunktet er passeret.",
        "That time has passed.",
    ),
    (
        "email_choose_person",
        "Vælg en kontaktperson med e-mailadresse.",
        "Choose a contact person with an email address.",
    ),
    (
        "email_choose_template",
        "Vælg en skabelon.",
        "Choose a template.",
    ),
    (
        "email_advertising_protected",
        "Virksomheden er reklamebeskyttet: kun sagsrelaterede e-mails kan sendes.",
        "The business has advertising protection: only case-related emails can be sent.",
    ),
    (
        "email_protected_notice",
        "Der kan kun sendes sagsrelaterede e-mails.",
        "Only case-related emails can be sent.",
    ),
    (
        "email_no_recipients",
        "Ingen kontaktpersoner har en e-mailadresse.",
        "No contact person has an email address.",
    ),
    ("email_preview", "Forhåndsvis", "Preview"),
    ("email_schedule", "Planlæg", "Schedule"),
    ("email_text_part", "Tekstudgave", "Text version"),
    ("email_html_part", "HTML-udgave", "HTML version"),
    (
        "email_scheduled",
        "E-mailen er planlagt.",
        "The email has been scheduled.",
    ),
    (
        "email_scheduled_monday",
        "E-mailen er planlagt. Datoen lå i en weekend og er flyttet til mandag.",
        "The email has been scheduled. The date was in a weekend and has moved to Monday.",
    ),
    (
        "email_cancelled",
        "E-mailen er annulleret.",
        "The email has been cancelled.",
    ),
    (
        "email_cannot_cancel",
        "E-mailen kan ikke længere annulleres.",
        "The email can no longer be cancelled.",
    ),
    ("emails", "Opfølgningsmails", "Follow-up emails"),
    (
        "no_emails",
        "Ingen e-mails planlagt eller sendt.",
        "No emails scheduled or sent.",
    ),
    ("email_when", "Sendes", "Sends"),
    ("email_cancel", "Annuller", "Cancel"),
    ("outbox_title", "Udbakke", "Outbox"),
    ("outbox_transport", "Afsendelse via", "Sending via"),
    ("outbox_pending", "venter", "pending"),
    ("outbox_failed", "fejlet, prøves igen", "failed, will retry"),
    ("outbox_dead", "opgivet", "given up"),
    ("outbox_sent", "sendt", "sent"),
    ("outbox_cancelled", "annulleret", "cancelled"),
    ("outbox_status", "Status", "Status"),
    ("outbox_to_domain", "Til (domæne)", "To (domain)"),
    ("outbox_attempts", "Forsøg", "Attempts"),
    ("outbox_next", "Næste forsøg", "Next attempt"),
    ("outbox_error", "Fejl", "Error"),
    ("outbox_retry", "Prøv igen", "Retry"),
    (
        "outbox_empty",
        "Ingen e-mails venter eller er fejlet.",
        "No emails are waiting or have failed.",
    ),
    (
        "email_retry_queued",
        "E-mailen sendes igen.",
        "The email will be sent again.",
    ),
    ("nav_outbox", "Udbakke", "Outbox"),
    // public recruitment form
    (
        "need_title",
        "Meld et rekrutteringsbehov",
        "Tell us about a recruitment need",
    ),
    (
        "need_intro",
        "Mangler I medarbejdere? Fortæl os om behovet, så finder Københavns Kommunes virksomhedsservice kandidater. Det tager to minutter, og I skal ikke logge ind.",
        "Do you need staff? Tell us about the need and the City of Copenhagen's business service will find candidates. It takes two minutes and no login.",
    ),
    ("need_company_name", "Virksomhedens navn", "Company name"),
    ("need_contact_name", "Kontaktperson", "Contact person"),
    ("need_job_title", "Stillingsbetegnelse", "Job title"),
    ("need_positions", "Antal stillinger", "Number of positions"),
    (
        "need_positions_invalid",
        "Angiv et antal mellem 1 og 500.",
        "Give a number between 1 and 500.",
    ),
    ("need_hours", "Timer pr. uge", "Hours per week"),
    (
        "need_hours_invalid",
        "Angiv timer pr. uge mellem 1 og 60.",
        "Give hours per week between 1 and 60.",
    ),
    ("need_start_date", "Startdato", "Start date"),
    ("need_employment", "Ansættelse", "Employment"),
    ("need_permanent", "Fast", "Permanent"),
    ("need_temporary", "Midlertidig", "Temporary"),
    ("need_temporary_until", "Midlertidig til", "Temporary until"),
    (
        "need_temporary_until_hint",
        "Kun ved midlertidig ansættelse.",
        "Only for temporary employment.",
    ),
    (
        "need_temporary_until_missing",
        "Angiv hvornår den midlertidige ansættelse slutter.",
        "Give the end date of the temporary employment.",
    ),
    (
        "need_until_before_start",
        "Slutdatoen ligger før startdatoen.",
        "The end date is before the start date.",
    ),
    (
        "need_workplace",
        "Arbejdssted (adresse)",
        "Workplace (address)",
    ),
    ("need_qualifications", "Kvalifikationer", "Qualifications"),
    ("need_languages", "Sprogkrav", "Language requirements"),
    (
        "need_languages_hint",
        "Fx dansk, engelsk.",
        "E.g. Danish, English.",
    ),
    (
        "need_open_flex_job",
        "Vi er åbne for en medarbejder i fleksjob",
        "We are open to an employee in a flex job",
    ),
    (
        "need_open_wage_subsidy",
        "Vi er åbne for løntilskud",
        "We are open to a wage-subsidy job",
    ),
    (
        "need_open_work_trial",
        "Vi er åbne for virksomhedspraktik",
        "We are open to a work-trial placement",
    ),
    (
        "need_free_text",
        "Andet, vi bør vide",
        "Anything else we should know",
    ),
    ("need_lookup", "Slå CVR-nummer op", "Look up CVR number"),
    (
        "need_known_as",
        "Vi kender virksomheden som:",
        "We know the business as:",
    ),
    (
        "need_cvr_unknown",
        "CVR-nummeret er ikke kendt af os endnu – det er helt i orden.",
        "We don't know this CVR number yet – that is fine.",
    ),
    ("need_submit", "Send behovet", "Send the need"),
    (
        "need_privacy",
        "Om dine oplysninger: Københavns Kommune bruger oplysningerne til at finde kandidater og kontakte jer om behovet. Vi gemmer dem, så længe sagen er åben, og sletter kontaktoplysningerne senest to år efter. Læs mere i kommunens privatlivspolitik.",
        "About your data: the City of Copenhagen uses the information to find candidates and to contact you about the need. We keep it while the case is open and delete the contact details at the latest two years later. See the municipality's privacy policy.",
    ),
    (
        "need_thanks_title",
        "Tak – vi har modtaget jeres behov",
        "Thank you – we have received your need",
    ),
    (
        "need_reference",
        "Jeres referencenummer:",
        "Your reference number:",
    ),
    (
        "need_next",
        "En virksomhedskonsulent kontakter jer senest",
        "A business consultant will contact you by",
    ),
    (
        "need_receipt_sent",
        "Vi har sendt en kvittering til den e-mailadresse, I oplyste.",
        "We have sent a receipt to the email address you gave.",
    ),
    (
        "need_confirmed_title",
        "E-mailadressen er bekræftet",
        "The email address is confirmed",
    ),
    (
        "need_confirmed",
        "Tak. Vi bruger adressen, når vi kontakter jer om behovet.",
        "Thank you. We will use the address when we contact you about the need.",
    ),
    ("nav_needs", "Rekrutteringsbehov", "Recruitment needs"),
    ("needs_title", "Rekrutteringsbehov", "Recruitment needs"),
    ("needs_export", "Hent som CSV", "Download as CSV"),
    (
        "needs_none",
        "Ingen behov med denne status.",
        "No needs with this status.",
    ),
    ("need_reference_short", "Reference", "Reference"),
    ("need_received", "Modtaget", "Received"),
    ("need_deadline", "Frist", "Deadline"),
    ("need_due_first_contact", "første kontakt", "first contact"),
    (
        "need_due_answer",
        "kandidater eller svar",
        "candidates or an answer",
    ),
    ("need_status_new", "Ny", "New"),
    ("need_status_in_progress", "Under behandling", "In progress"),
    (
        "need_status_candidates_proposed",
        "Kandidater foreslået",
        "Candidates proposed",
    ),
    ("need_status_filled", "Besat", "Filled"),
    (
        "need_status_partly_filled",
        "Delvist besat",
        "Partly filled",
    ),
    (
        "need_status_closed_without_hire",
        "Lukket uden ansættelse",
        "Closed without hire",
    ),
    ("need_status_withdrawn", "Trukket tilbage", "Withdrawn"),
    ("need_source_form", "formular", "form"),
    (
        "need_source",
        "Hvordan kom behovet ind?",
        "How did the need come in?",
    ),
    (
        "need_new",
        "Registrer rekrutteringsbehov",
        "Register a recruitment need",
    ),
    ("need_source_phone", "telefon", "phone"),
    ("need_source_visit", "besøg", "visit"),
    ("need_source_email", "e-mail", "email"),
    ("need_open_to", "Åben for", "Open to"),
    ("need_update", "Opdater status", "Update status"),
    ("need_note", "Kort note", "Short note"),
    ("need_history", "Historik", "History"),
    (
        "need_no_history",
        "Ingen ændringer endnu.",
        "No changes yet.",
    ),
    (
        "need_saved",
        "Behovet er opdateret.",
        "The need has been updated.",
    ),
    // import
    (
        "import_title",
        "Import af virksomheder",
        "Import businesses",
    ),
    (
        "import_intro",
        "Upload en CSV-fil i CVR-registrets format. Danske eller engelske kolonneoverskrifter; komma eller semikolon; UTF-8 eller Windows-1252. Virksomheder opdateres efter CVR-nummer.",
        "Upload a CSV file in the CVR register's format. Danish or English column headings; comma or semicolon; UTF-8 or Windows-1252. Businesses are updated by CVR number.",
    ),
    ("import_file", "CSV-fil", "CSV file"),
    ("import_button", "Importér", "Import"),
    (
        "import_running",
        "Importen kører …",
        "The import is running …",
    ),
    (
        "import_done",
        "Importen er færdig.",
        "The import has finished.",
    ),
    (
        "import_failed",
        "Filen kunne ikke læses:",
        "The file could not be read:",
    ),
    ("import_no_file", "Vælg en fil.", "Choose a file."),
    ("import_new", "nye", "new"),
    ("import_changed", "ændrede", "changed"),
    ("import_unchanged", "uændrede", "unchanged"),
    ("import_invalid", "ugyldige", "invalid"),
    (
        "import_unknown_headings",
        "Ukendte kolonner (ignoreret):",
        "Unknown columns (ignored):",
    ),
    ("import_errors", "Ugyldige rækker", "Invalid rows"),
    ("import_columns", "Kendte kolonner", "Known columns"),
    (
        "import_refresh",
        "Siden opdateres automatisk.",
        "The page refreshes by itself.",
    ),
    (
        "import_more_errors",
        "flere ugyldige rækker er ikke vist.",
        "more invalid rows are not shown.",
    ),
    // users
    ("users_title", "Brugere", "Users"),
    ("role", "Rolle", "Role"),
    ("display_name", "Navn", "Name"),
    ("add_user", "Opret bruger", "Add user"),
    (
        "user_added",
        "Brugeren er oprettet.",
        "The user has been created.",
    ),
    (
        "user_disabled",
        "Brugeren er deaktiveret, og alle brugerens sessioner er afsluttet.",
        "The user has been disabled and all of the user's sessions have ended.",
    ),
    (
        "user_enabled",
        "Brugeren er aktiveret igen.",
        "The user has been enabled again.",
    ),
    ("disable", "Deaktiver", "Disable"),
    ("enable", "Aktiver", "Enable"),
    ("disabled", "Deaktiveret", "Disabled"),
    (
        "username_taken",
        "Brugernavnet er optaget.",
        "The username is taken.",
    ),
    (
        "username_invalid",
        "Brugernavnet må kun indeholde små bogstaver, tal, punktum, bindestreg og understreg (2–40 tegn).",
        "The username may only contain lower-case letters, digits, dot, hyphen and underscore (2–40 characters).",
    ),
    (
        "password_too_short",
        "Adgangskoden skal være mindst 10 tegn.",
        "The password must be at least 10 characters.",
    ),
    (
        "cannot_disable_self",
        "Du kan ikke deaktivere dig selv.",
        "You cannot disable yourself.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_are_filled() {
        let mut seen = std::collections::HashSet::new();
        for (k, da, en) in STRINGS {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!da.is_empty() && !en.is_empty(), "empty string for {k}");
        }
    }
}
