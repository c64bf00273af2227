### Danish UI strings (the default language). One message per key;
### keys are snake_case and must exist in en/main.ftl too (tested).

app_name = Erhverv – Københavns Kommune
skip_to_content = Gå til indhold
other_lang = English
other_lang_code = en
nav_home = Overblik
nav_businesses = Virksomheder
nav_followups = Mine opfølgninger
nav_contacts = Mine kontakter
nav_import = Import
nav_users = Brugere
nav_main = Hovedmenu
logout = Log ud
signed_in_as = Logget ind som

## Sign-in

login_title = Log ind
login_intro = Log ind med din medarbejderkonto.
username = Brugernavn
password = Adgangskode
login_button = Log ind
login_failed = Forkert brugernavn eller adgangskode.

## Errors

error_400_title = Forkert forespørgsel
error_400 = Forespørgslen kunne ikke forstås.
error_403_title = Ingen adgang
error_403 = Din rolle giver ikke adgang til denne side.
error_csrf_title = Formularen er udløbet
error_csrf = Formularen er udløbet eller kom ikke fra denne side. Gå tilbage, genindlæs siden og prøv igen.
error_404_title = Siden findes ikke
error_404 = Siden eller posten findes ikke (længere).
error_413_title = For stor
error_413 = Det indsendte er for stort.
error_429_title = For mange forsøg
error_429 = For mange forsøg på kort tid. Vent lidt og prøv igen.
error_500_title = Der skete en fejl
error_500 = Der skete en uventet fejl. Intet er gået tabt af det, der allerede var gemt. Prøv igen om lidt.
back_home = Til forsiden
form_has_errors = Formularen har fejl. Ret de markerede felter.

## Home

home_title = Overblik
home_businesses = Aktive virksomheder
home_contacts_30 = Kontakter de sidste 30 dage
home_my_due = Mine opfølgninger, der er forfaldne
home_by_district = Virksomheder pr. bydel
district_other = Uden for Københavns Kommune / ukendt

## Business list

businesses_title = Virksomheder
filters = Filtre
filter_apply = Vis
filter_reset = Nulstil
all = Alle
mine = Mine
unassigned = Ingen konsulent
status = Status
status_active = Aktiv
status_ceased = Ophørt
sort = Sortering
sort_name = Navn (A–Å)
sort_name_desc = Navn (Å–A)
sort_cvr = CVR-nummer
sort_updated = Senest ændret
results_count = virksomheder
page = Side
of = af
previous = Forrige
next = Næste
pagination = Sider
no_results = Ingen virksomheder matcher filtrene.
new_business = Opret virksomhed

## Business fields

cvr = CVR-nummer
name = Navn
company_form = Virksomhedsform
address = Adresse
street = Vej og husnummer
postal_code = Postnummer
city = By
district = Bydel
industry = Branche
industry_code = Branchekode (DB07)
industry_section = Branchehovedgruppe
employees = Antal ansatte
size = Størrelse
consultant = Virksomhedskonsulent
segments = Segmenter
advertising_protected = Reklamebeskyttet
advertising_protected_hint = Virksomheden har frabedt sig henvendelser, der ikke vedrører en sag.
active = Aktiv
email = E-mail
phone = Telefon
notes = Noter
source = Kilde
none = Ingen
choose = Vælg …
yes = Ja
no = Nej
save = Gem
cancel = Annuller
edit = Rediger
delete = Slet
remove = Fjern
edit_business = Rediger virksomhed
business_saved = Virksomheden er gemt.
business_created = Virksomheden er oprettet.
cvr_exists = En virksomhed med dette CVR-nummer findes allerede:
p_units = Produktionsenheder (P-numre)
p_number = P-nummer
add_p_unit = Tilføj P-enhed
p_unit_added = P-enheden er tilføjet.
p_unit_removed = P-enheden er fjernet.
no_p_units = Ingen P-enheder registreret.
contact_persons = Kontaktpersoner
person_name = Navn
person_role = Stilling
primary = Primær
primary_contact = Primær kontaktperson
add_person = Tilføj kontaktperson
person_added = Kontaktpersonen er tilføjet.
person_removed = Kontaktpersonen er fjernet.
no_persons = Ingen kontaktpersoner registreret.
timeline = Kontakthistorik
no_contacts = Ingen kontakter registreret endnu.
log_contact = Registrer kontakt
facts = Stamdata
cvr_hint = 8 cifre, fx 10150817.
postal_code_hint = Bydelen udledes af postnummeret.
industry_code_hint = DB07-branchekode med 6 cifre, fx 561010.
size_hint = Bruges, når antal ansatte ikke er kendt.
p_number_hint = 10 cifre.
required = skal udfyldes
errors_in_form = Formularen har fejl
go_to_first_error = Gå til første fejl

## Contacts

channel = Kontaktform
occurred_at = Tidspunkt
subject = Emne
outcome = Resultat
follow_up_on = Opfølgning senest
follow_up_hint = Valgfri. Opfølgningen kommer på din liste over opfølgninger.
contact_saved = Kontakten er registreret.
by = af
business = Virksomhed
followups_title = Mine opfølgninger
followups_intro = Forfaldne og dagens opfølgninger først.
overdue = Forfalden
due_today = I dag
upcoming = Kommende
mark_done = Marker som udført
followup_done = Opfølgningen er markeret som udført.
no_followups = Du har ingen åbne opfølgninger.
my_contacts_title = Mine kontakter
date = Dato

## Search

search_label = Søg efter virksomhed, CVR, adresse eller person
search_placeholder = Søg …
search_button = Søg
search_results = Søgning
hits = resultater
no_hits = Ingen resultater. Prøv et andet stavemåde eller færre ord.
remove_filter = fjern filter
search_unavailable_title = Søgning er midlertidigt utilgængelig
search_unavailable = Søgemaskinen svarer ikke lige nu. Dine ændringer er gemt og bliver søgbare, så snart den er tilbage. Brug virksomhedslisten imens.
kind_business = Virksomhed
kind_need = Rekrutteringsbehov
kind_initiative = Initiativ
kind_business_plural = Virksomheder
kind_need_plural = Rekrutteringsbehov
kind_initiative_plural = Initiativer
facet_kind = Type
facet_district = Bydel
facet_section = Branche
facet_size = Størrelse
facet_consultant_id = Konsulent
facet_segments = Segment
hl_title = Navn
hl_cvr = CVR
hl_p_numbers = P-nummer
hl_addresses = Adresse
hl_persons = Kontaktperson
hl_industry_text = Branche
hl_consultant = Konsulent
hl_text = Tekst

## Email

email_schedule_title = Planlæg opfølgningsmail
email_schedule_link = Planlæg opfølgningsmail
email_recipient = Modtager (kontaktperson)
email_template = Skabelon
email_template_followup = Opfølgning (sagsrelateret)
email_template_event_invitation = Invitation til arrangement (ikke sagsrelateret)
email_language = Sprog i e-mailen
email_subject_hint = Valgfri. Tom: skabelonens emne.
email_message = Besked
email_message_hint = Valgfri. Tom: skabelonens tekst. Tom linje giver nyt afsnit.
email_date_hint = Dansk tid. En dato i en weekend flyttes til mandag.
email_time = Klokkeslæt
email_protected_notice = Der kan kun sendes sagsrelaterede e-mails.
email_no_recipients = Ingen kontaktpersoner har en e-mailadresse.
email_preview = Forhåndsvis
email_schedule = Planlæg
email_text_part = Tekstudgave
email_html_part = HTML-udgave
email_scheduled = E-mailen er planlagt.
email_scheduled_monday = E-mailen er planlagt. Datoen lå i en weekend og er flyttet til mandag.
email_cancelled = E-mailen er annulleret.
email_cannot_cancel = E-mailen kan ikke længere annulleres.
emails = Opfølgningsmails
no_emails = Ingen e-mails planlagt eller sendt.
email_when = Sendes
email_cancel = Annuller
outbox_title = Udbakke
outbox_transport = Afsendelse via
outbox_pending = venter
outbox_failed = fejlet, prøves igen
outbox_dead = opgivet
outbox_sent = sendt
outbox_cancelled = annulleret
outbox_status = Status
outbox_to_domain = Til (domæne)
outbox_attempts = Forsøg
outbox_next = Næste forsøg
outbox_error = Fejl
outbox_retry = Prøv igen
outbox_empty = Ingen e-mails venter eller er fejlet.
email_retry_queued = E-mailen sendes igen.
nav_outbox = Udbakke

## Public recruitment form

need_title = Meld et rekrutteringsbehov
need_intro = Mangler I medarbejdere? Fortæl os om behovet, så finder Københavns Kommunes virksomhedsservice kandidater. Det tager to minutter, og I skal ikke logge ind.
need_company_name = Virksomhedens navn
need_contact_name = Kontaktperson
need_job_title = Stillingsbetegnelse
need_positions = Antal stillinger
need_hours = Timer pr. uge
need_start_date = Startdato
need_employment = Ansættelse
need_permanent = Fast
need_temporary = Midlertidig
need_temporary_until = Midlertidig til
need_temporary_until_hint = Kun ved midlertidig ansættelse.
need_workplace = Arbejdssted (adresse)
need_qualifications = Kvalifikationer
need_languages = Sprogkrav
need_languages_hint = Fx dansk, engelsk.
need_open_flex_job = Vi er åbne for en medarbejder i fleksjob
need_open_wage_subsidy = Vi er åbne for løntilskud
need_open_work_trial = Vi er åbne for virksomhedspraktik
need_free_text = Andet, vi bør vide
need_lookup = Slå CVR-nummer op
need_known_as = Vi kender virksomheden som:
need_cvr_unknown = CVR-nummeret er ikke kendt af os endnu – det er helt i orden.
need_submit = Send behovet
need_privacy = Om dine oplysninger: Københavns Kommune bruger oplysningerne til at finde kandidater og kontakte jer om behovet. Vi gemmer dem, så længe sagen er åben, og sletter kontaktoplysningerne senest to år efter. Læs mere i kommunens privatlivspolitik.
need_thanks_title = Tak – vi har modtaget jeres behov
need_reference = Jeres referencenummer:
need_next = En virksomhedskonsulent kontakter jer senest
need_receipt_sent = Vi har sendt en kvittering til den e-mailadresse, I oplyste.
need_confirmed_title = E-mailadressen er bekræftet
need_confirmed = Tak. Vi bruger adressen, når vi kontakter jer om behovet.
nav_needs = Rekrutteringsbehov
needs_title = Rekrutteringsbehov
needs_export = Hent som CSV
needs_none = Ingen behov med denne status.
need_reference_short = Reference
need_received = Modtaget
need_deadline = Frist
need_due_first_contact = første kontakt
need_due_answer = kandidater eller svar
need_status_new = Ny
need_status_in_progress = Under behandling
need_status_candidates_proposed = Kandidater foreslået
need_status_filled = Besat
need_status_partly_filled = Delvist besat
need_status_closed_without_hire = Lukket uden ansættelse
need_status_withdrawn = Trukket tilbage
need_source_form = formular
need_source = Hvordan kom behovet ind?
need_new = Registrer rekrutteringsbehov
need_source_phone = telefon
need_source_visit = besøg
need_source_email = e-mail
need_open_to = Åben for
need_update = Opdater status
need_note = Kort note
need_history = Historik
need_no_history = Ingen ændringer endnu.
need_saved = Behovet er opdateret.

## Import

import_title = Import af virksomheder
import_intro = Upload en CSV-fil i CVR-registrets format. Danske eller engelske kolonneoverskrifter; komma eller semikolon; UTF-8 eller Windows-1252. Virksomheder opdateres efter CVR-nummer.
import_file = CSV-fil
import_button = Importér
import_running = Importen kører …
import_done = Importen er færdig.
import_failed = Filen kunne ikke læses:
import_no_file = Vælg en fil.
import_new = nye
import_changed = ændrede
import_unchanged = uændrede
import_invalid = ugyldige
import_unknown_headings = Ukendte kolonner (ignoreret):
import_errors = Ugyldige rækker
import_columns = Kendte kolonner
import_refresh = Siden opdateres automatisk.
import_more_errors = flere ugyldige rækker er ikke vist.

## Users

users_title = Brugere
role = Rolle
display_name = Navn
add_user = Opret bruger
user_added = Brugeren er oprettet.
user_disabled = Brugeren er deaktiveret, og alle brugerens sessioner er afsluttet.
user_enabled = Brugeren er aktiveret igen.
disable = Deaktiver
enable = Aktiver
disabled = Deaktiveret
username_taken = Brugernavnet er optaget.
username_invalid = Brugernavnet må kun indeholde små bogstaver, tal, punktum, bindestreg og understreg (2–40 tegn).
password_too_short = Adgangskoden skal være mindst 10 tegn.
cannot_disable_self = Du kan ikke deaktivere dig selv.
nav_audit = Revisionslog
audit_title = Revisionslog
audit_who = Hvem
audit_action = Handling
audit_entity = Posttype
audit_record = Post-id
audit_from = Fra dato
audit_to = Til dato
audit_detail = Detaljer
audit_when = Tidspunkt
audit_entries = hændelser
audit_empty = Ingen hændelser med disse filtre.
audit_system = System / offentligheden
filter = Filtrer
error_409_title = Konflikt
error_409 = Ændringen kunne ikke gennemføres, fordi den strider mod en anden post eller postens nuværende status.
p_number_owner = P-nummeret hører til virksomheden:
