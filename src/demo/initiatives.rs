//! Demo strategy initiatives: about forty initiatives under the business
//! strategy's twelve tracks, each with an owner among the consultants, a log
//! of status updates in its rhythm (some owners have fallen behind), dated
//! milestones (a few of them late), linked businesses, and manual key
//! figures with two years of values. The live figures get demo targets.
//! Deterministic for a seed, relative to today.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Copenhagen;
use entity::{
    business, initiative, initiative_business, initiative_milestone, initiative_update, key_figure,
    key_figure_value, strategy_track,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QuerySelect,
};

use crate::db;
use crate::domain::{Direction, FigureSource, InitiativeStatus, UpdateInterval};

use crate::domain::InitiativeStatus::{AtRisk, Completed, Delayed, NotStarted, OnTrack, Stopped};
use crate::domain::UpdateInterval::{Fortnightly, Monthly, Quarterly, Weekly};

/// When an initiative runs.
#[derive(Clone, Copy)]
enum Period {
    /// Started this many months ago (negative: starts in the future) and
    /// planned to run this many months (None: open-ended).
    Relative(i32, Option<u32>),
    /// Dates fixed by the strategy: (year, month, day) of start and end.
    Fixed((i32, u32, u32), (i32, u32, u32)),
}

struct Plan {
    track: &'static str,
    title: &'static str,
    description: &'static str,
    period: Period,
    status: InitiativeStatus,
    every: UpdateInterval,
    public: bool,
    /// The owner has not posted an update within the rhythm.
    stale: bool,
    /// Index into the consultants (0: the demo consultant).
    owner: usize,
    /// Has a planning update although it has not started.
    planning_update: bool,
    milestones: &'static [&'static str],
}

const fn plan(
    track: &'static str,
    title: &'static str,
    description: &'static str,
    period: Period,
    (status, every): (InitiativeStatus, UpdateInterval),
    (public, stale, owner): (bool, bool, usize),
    milestones: &'static [&'static str],
) -> Plan {
    Plan {
        track,
        title,
        description,
        period,
        status,
        every,
        public,
        stale,
        owner,
        planning_update: true,
        milestones,
    }
}

const fn silent(p: Plan) -> Plan {
    Plan {
        planning_update: false,
        ..p
    }
}

use Period::{Fixed, Relative};

const PLANS: &[Plan] = &[
    // Servicekultur
    plan(
        "servicekultur",
        "Én indgang for virksomheder",
        "Virksomheder får én samlet indgang til kommunen med ét telefonnummer og én webformular, \
         så de ikke selv skal finde den rette forvaltning. Henvendelserne fordeles internt og \
         besvares inden for servicemålet.",
        Relative(20, Some(30)),
        (OnTrack, Fortnightly),
        (true, false, 0),
        &[
            "Kortlægning af nuværende indgange",
            "Fælles webformular i drift",
            "Fælles telefonnummer åbnet",
            "Servicemål vedtaget i udvalget",
            "Indgangen markedsført over for virksomhederne",
            "Evaluering efter første driftsår",
        ],
    ),
    plan(
        "servicekultur",
        "Kortlægning af tværgående virksomhedsservice",
        "Forvaltningen kortlægger initiativer, der kan understøtte den tværgående \
         virksomhedsservice. Erhvervsrådet og virksomheder, som Dansk Industri og Dansk Erhverv \
         har peget på, interviewes.",
        Fixed((2025, 10, 6), (2026, 3, 31)),
        (Completed, Monthly),
        (true, false, 1),
        &[
            "Interviewguide godkendt",
            "Interviews med Erhvervsrådet",
            "Interviews med virksomheder udpeget af DI og Dansk Erhverv",
            "Opsamling og anbefalinger forelagt udvalget",
        ],
    ),
    plan(
        "servicekultur",
        "Erhvervsvenlighedsmåling – opfølgning på DI's undersøgelse",
        "Gennemgang af resultaterne i DI's undersøgelse af erhvervsvenlighed, hvor København \
         gik fra plads 83 til 74, og en handleplan for de områder, hvor virksomhederne giver \
         kommunen den laveste vurdering.",
        Relative(10, Some(22)),
        (OnTrack, Monthly),
        (true, false, 0),
        &[
            "Analyse af DI's delresultater",
            "Dialogmøder med erhvervsorganisationerne",
            "Handleplan forelagt udvalget",
            "Status på handleplanen før næste måling",
        ],
    ),
    plan(
        "servicekultur",
        "Servicemål for svar på henvendelser",
        "Faste svarfrister for virksomhedernes henvendelser om rekruttering og tilladelser. \
         Svartiderne måles og offentliggøres hvert kvartal.",
        Relative(16, Some(18)),
        (AtRisk, Monthly),
        (true, false, 2),
        &[
            "Servicemål fastlagt",
            "Måling af svartider i portalen",
            "Første kvartalsrapport offentliggjort",
            "Servicemålet nået to kvartaler i træk",
        ],
    ),
    plan(
        "servicekultur",
        "Virksomhedsbesøg med fast kontaktperson",
        "Byens større arbejdsgivere får en fast virksomhedskonsulent og et årligt besøg, hvor \
         behovet for arbejdskraft og samarbejdet med kommunen drøftes.",
        Relative(26, None),
        (OnTrack, Quarterly),
        (false, false, 3),
        &[
            "Udvælgelse af 200 virksomheder",
            "Første besøgsrunde afsluttet",
            "Anden besøgsrunde afsluttet",
        ],
    ),
    // Kvalificeret arbejdskraft
    plan(
        "arbejdskraft",
        "Rekrutteringsservice til byggeriet",
        "Målrettet rekruttering til bygge- og anlægsbranchen i samarbejde med virksomheder og \
         erhvervsskoler, herunder virksomhedspraktik for ledige.",
        Relative(22, Some(24)),
        (OnTrack, Monthly),
        (true, false, 4),
        &[
            "Aftale med erhvervsskolerne",
            "Første hold i virksomhedspraktik",
            "Rekrutteringsdag på byggepladsen i Nordhavn",
            "Midtvejsevaluering",
            "Slutevaluering",
        ],
    ),
    plan(
        "arbejdskraft",
        "Fleksjob i små virksomheder",
        "Flere fleksjob i virksomheder med under ti ansatte gennem opsøgende kontakt og hjælp \
         til ansøgningen om fleksløntilskud.",
        Relative(18, Some(24)),
        (Delayed, Monthly),
        (false, false, 5),
        &[
            "Målgruppe af virksomheder udvalgt",
            "Informationsmateriale til arbejdsgivere",
            "100 virksomheder kontaktet",
            "Evaluering af ordningen",
        ],
    ),
    plan(
        "arbejdskraft",
        "Branchepakker til hotel og restauration",
        "Korte opkvalificeringsforløb og virksomhedspraktik målrettet hotel- og \
         restaurationsbranchen før højsæsonen.",
        Relative(28, Some(18)),
        (Completed, Monthly),
        (true, false, 6),
        &[
            "Forløb udviklet med branchen",
            "Første hold afsluttet",
            "Andet hold afsluttet",
            "Evaluering sendt til udvalget",
        ],
    ),
    plan(
        "arbejdskraft",
        "Akut rekrutteringsindsats til ældreplejen",
        "Samarbejde med private leverandører af ældrepleje om at besætte ledige stillinger som \
         social- og sundhedshjælper med ledige, der har de rette kvalifikationer.",
        Relative(3, Some(9)),
        (OnTrack, Weekly),
        (false, false, 7),
        &[
            "Behov afdækket hos leverandørerne",
            "Første jobsamtaler afholdt",
            "50 stillinger besat",
        ],
    ),
    plan(
        "arbejdskraft",
        "Branchedansk på arbejdspladsen",
        "Forløb, hvor nyansatte lærer branchedansk på arbejdspladsen, så virksomheder kan \
         ansætte medarbejdere, der endnu ikke taler flydende dansk.",
        Relative(12, Some(24)),
        (AtRisk, Monthly),
        (false, true, 0),
        &[
            "Sprogskole valgt",
            "Ti virksomheder tilmeldt",
            "Første forløb afsluttet",
            "Evaluering",
        ],
    ),
    // Grøn omstilling
    plan(
        "groen_omstilling",
        "Grøn omstilling i SMV'er",
        "Gratis forløb for små og mellemstore virksomheder med CO₂-beregning, handleplan og \
         sparring om energi, materialer og transport.",
        Relative(24, Some(36)),
        (OnTrack, Monthly),
        (true, false, 8),
        &[
            "Rådgivere udvalgt",
            "50 virksomheder i forløb",
            "100 virksomheder i forløb",
            "Midtvejsevaluering af CO₂-effekten",
            "Slutrapport",
        ],
    ),
    plan(
        "groen_omstilling",
        "Netværk for cirkulært byggeri",
        "Netværk, hvor entreprenører og bygherrer deler erfaringer med genbrug af \
         byggematerialer og med krav i kommunale udbud.",
        Relative(14, Some(24)),
        (AtRisk, Quarterly),
        (false, false, 9),
        &[
            "Første netværksmøde",
            "Fælles vejledning om genbrugsmaterialer",
            "Erfaringsopsamling til kommunens udbud",
        ],
    ),
    plan(
        "groen_omstilling",
        "Ladeinfrastruktur til erhvervstransport",
        "Dialog med vognmænd og logistikvirksomheder om behovet for ladestandere til \
         el-lastbiler og om placeringen af dem i byen.",
        Relative(9, Some(18)),
        (Delayed, Monthly),
        (false, true, 10),
        &[
            "Behovsanalyse blandt vognmænd",
            "Forslag til placeringer",
            "Politisk behandling",
        ],
    ),
    plan(
        "groen_omstilling",
        "Energirådgivning til produktionsvirksomheder",
        "Energigennemgang af mindre produktionsvirksomheder i Valby og Sydhavnen med konkrete \
         forslag til besparelser.",
        Relative(30, Some(20)),
        (Completed, Quarterly),
        (false, false, 11),
        &[
            "Energikonsulenter tilknyttet",
            "30 energigennemgange gennemført",
            "Opfølgning på gennemførte besparelser",
        ],
    ),
    plan(
        "groen_omstilling",
        "Grønne job – opkvalificering af ledige",
        "Opkvalificering af ledige til job inden for energirenovering, solceller og \
         varmepumper i samarbejde med erhvervsskolerne.",
        Relative(-2, Some(18)),
        (NotStarted, Monthly),
        (false, false, 12),
        &[
            "Forløb godkendt",
            "Første hold starter",
            "Første hold afsluttet",
            "Evaluering",
        ],
    ),
    // Turisme
    plan(
        "turisme",
        "Bæredygtig turisme i indre by",
        "Sammen med Wonderful Copenhagen og erhvervslivet i indre by arbejdes der for at sprede \
         turisterne, mindske generne for beboerne og styrke de lokale butikker.",
        Relative(20, Some(28)),
        (OnTrack, Monthly),
        (true, false, 13),
        &[
            "Fælles handleplan med Wonderful Copenhagen",
            "Dialogmøder med beboere og erhvervsdrivende",
            "Pilotprojekt om turistbusser",
            "Midtvejsevaluering",
            "Slutevaluering",
        ],
    ),
    plan(
        "turisme",
        "Bedre modtagelse af krydstogtgæster i Nordhavn",
        "Bedre modtagelse og transport af krydstogtgæster og flere lokale oplevelser, der kan \
         købes på havnefronten.",
        Relative(15, Some(18)),
        (AtRisk, Monthly),
        (false, true, 14),
        &[
            "Aftale med havnen og rederierne",
            "Ny skiltning og information på terminalerne",
            "Sæsonevaluering",
        ],
    ),
    plan(
        "turisme",
        "Kongres- og mødeturisme",
        "Samarbejde med Wonderful Copenhagen og byens kongrescentre om at tiltrække flere \
         internationale kongresser til København.",
        Relative(25, Some(30)),
        (OnTrack, Quarterly),
        (true, false, 15),
        &[
            "Fælles salgsstrategi",
            "Fem nye kongresser vundet",
            "Evaluering af den økonomiske effekt",
        ],
    ),
    plan(
        "turisme",
        "Sæsonrekruttering til turismen",
        "Fælles rekrutteringsdage for hoteller, restauranter og attraktioner forud for \
         sommersæsonen.",
        Relative(13, Some(12)),
        (Completed, Fortnightly),
        (false, false, 6),
        &[
            "Tilmelding af arbejdsgivere",
            "Rekrutteringsdag i foråret",
            "Opfølgning på ansættelser",
        ],
    ),
    plan(
        "turisme",
        "Oplevelser i bydelene uden for centrum",
        "Synliggørelse af oplevelser, spisesteder og kulturtilbud på Amager, i Valby og i \
         Nordvest, så turismen spredes ud over byen.",
        Relative(6, Some(24)),
        (OnTrack, Monthly),
        (false, false, 16),
        &[
            "Kortlægning af oplevelser i bydelene",
            "Fælles markedsføring med Wonderful Copenhagen",
            "Evaluering af besøgstal",
        ],
    ),
    // Gode rammevilkår
    plan(
        "rammevilkaar",
        "Ny erhvervsstrategi 2028",
        "Udarbejdelse af Københavns Kommunes nye erhvervsstrategi, der skal være klar \
         1. januar 2028. Erhvervsrådet, erhvervsorganisationerne og byens virksomheder \
         inddrages undervejs.",
        Fixed((2026, 2, 2), (2028, 1, 1)),
        (OnTrack, Monthly),
        (true, false, 1),
        &[
            "Kommissorium godkendt i udvalget",
            "Analyse af erhvervslivets udvikling siden 2024",
            "Inddragelse af Erhvervsrådet og erhvervsorganisationerne",
            "Udkast til strategi sendt i høring",
            "Strategien vedtaget i Borgerrepræsentationen",
            "Strategien træder i kraft",
        ],
    ),
    plan(
        "rammevilkaar",
        "Hurtigere sagsbehandling af erhvervstilladelser",
        "Kortere sagsbehandlingstid for byggetilladelser, udeservering og miljøgodkendelser i \
         samarbejde med Teknik- og Miljøforvaltningen.",
        Relative(18, Some(24)),
        (Delayed, Monthly),
        (false, false, 17),
        &[
            "Analyse af sagsforløb",
            "Ny arbejdsgang for udeservering",
            "Digital ansøgning om byggetilladelse",
            "Sagsbehandlingstiden halveret",
        ],
    ),
    plan(
        "rammevilkaar",
        "Virksomhedsportal med status på henvendelser",
        "En samlet digital indgang, hvor virksomheder kan følge deres henvendelser og \
         rekrutteringsbehov hos kommunen.",
        Relative(11, Some(20)),
        (OnTrack, Fortnightly),
        (false, false, 2),
        &[
            "Behov afdækket med ti virksomheder",
            "Første version i drift",
            "Engelsk version",
            "Tilgængelighedserklæring offentliggjort",
        ],
    ),
    // Plads til virksomheder i byudviklingen
    plan(
        "byudvikling",
        "Plads til produktionsvirksomheder i byudviklingen",
        "Kortlægning af arealer til produktion, værksteder og logistik i lokalplanerne, så både \
         små og store virksomheder fortsat kan ligge i byen.",
        Relative(20, Some(24)),
        (AtRisk, Quarterly),
        (false, false, 18),
        &[
            "Kortlægning af erhvervsarealer",
            "Dialog med berørte virksomheder",
            "Input til kommuneplanen",
        ],
    ),
    plan(
        "byudvikling",
        "Erhverv i stueetagen i nye byområder",
        "Dialog med developere om husleje og indretning, så butikker og serviceerhverv kan \
         etablere sig i stueetagerne i Nordhavn og Ørestad.",
        Relative(8, Some(18)),
        (OnTrack, Monthly),
        (false, false, 19),
        &[
            "Møder med developerne",
            "Fælles retningslinjer for stueetager",
            "Opfølgning på udlejning",
        ],
    ),
    // International konkurrenceevne
    plan(
        "international_konkurrenceevne",
        "Investeringsfremme med Copenhagen Capacity",
        "Fælles indsats for at tiltrække udenlandske virksomheder og investeringer med fokus på \
         life science og grøn teknologi.",
        Relative(27, Some(36)),
        (OnTrack, Quarterly),
        (false, false, 20),
        &[
            "Samarbejdsaftale underskrevet",
            "Fem nye etableringer",
            "Midtvejsevaluering",
            "Ti nye etableringer",
        ],
    ),
    plan(
        "international_konkurrenceevne",
        "Erhvervsfremstød i Hamborg",
        "Fremstød for københavnske virksomheder i Hamborg i samarbejde med \
         erhvervsorganisationerne, forud for åbningen af Femern-forbindelsen.",
        Relative(16, Some(12)),
        (Stopped, Monthly),
        (false, false, 21),
        &[
            "Deltagende virksomheder udvalgt",
            "Fremstød gennemført",
            "Opfølgning med de deltagende virksomheder",
        ],
    ),
    plan(
        "international_konkurrenceevne",
        "Service til udenlandske virksomheder",
        "Engelsksprogede vejledninger og en fast kontakt for udenlandske virksomheder, der \
         etablerer sig i København.",
        Relative(10, Some(18)),
        (OnTrack, Monthly),
        (true, false, 22),
        &[
            "Vejledninger på engelsk",
            "Fast kontaktperson udpeget",
            "Brugerundersøgelse blandt virksomhederne",
        ],
    ),
    // Iværksætteri
    plan(
        "ivaerksaetteri",
        "Iværksætterforløb i udsatte byområder",
        "Forløb for nye iværksættere i Tingbjerg, Mjølnerparken og Sydhavnen med rådgivning om \
         forretningsplan, regnskab og finansiering.",
        Relative(19, Some(24)),
        (OnTrack, Monthly),
        (true, false, 0),
        &[
            "Lokale partnere fundet",
            "Første hold iværksættere i gang",
            "Andet hold i gang",
            "Evaluering af overlevelsesraten",
        ],
    ),
    plan(
        "ivaerksaetteri",
        "Rådgivning om at starte virksomhed",
        "Gratis rådgivning og workshops i Københavns Erhvervshus for iværksættere i \
         opstartsfasen.",
        Relative(30, None),
        (OnTrack, Quarterly),
        (false, true, 23),
        &[
            "Workshopprogram for året",
            "Brugerundersøgelse",
            "Nyt tilbud om finansieringsrådgivning",
        ],
    ),
    silent(plan(
        "ivaerksaetteri",
        "Mentorordning for nye virksomheder",
        "Erfarne erhvervsfolk bliver frivillige mentorer for iværksættere i virksomhedens første \
         to år.",
        Relative(-3, Some(18)),
        (NotStarted, Monthly),
        (false, false, 24),
        &["20 mentorer rekrutteret", "Første match", "Evaluering"],
    )),
    // Innovation
    plan(
        "innovation",
        "Testområde for velfærdsteknologi",
        "Virksomheder kan afprøve nye løsninger på kommunens plejecentre og få tilbagemeldinger \
         fra medarbejderne.",
        Relative(23, Some(24)),
        (Delayed, Monthly),
        (false, false, 25),
        &[
            "Plejecentre udvalgt",
            "Første afprøvninger",
            "Databehandleraftaler på plads",
            "Evaluering",
        ],
    ),
    plan(
        "innovation",
        "Innovationspartnerskab om klimatilpasning",
        "Partnerskab med virksomheder og universiteter om løsninger til skybrudssikring i byens \
         gader.",
        Relative(21, Some(18)),
        (Completed, Quarterly),
        (false, false, 26),
        &[
            "Partnerskabsaftale",
            "Tre løsninger afprøvet",
            "Slutrapport",
        ],
    ),
    plan(
        "innovation",
        "Markedsdialog og innovation i kommunale udbud",
        "Flere kommunale udbud med plads til innovative løsninger og markedsdialog med små \
         virksomheder.",
        Relative(-1, Some(24)),
        (NotStarted, Monthly),
        (false, false, 27),
        &[
            "Tre udbud udvalgt",
            "Markedsdialog gennemført",
            "Erfaringsopsamling",
        ],
    ),
    // Internationale talenter
    plan(
        "internationale_talenter",
        "Jobmesse for internationale talenter",
        "Årlig jobmesse, hvor internationale studerende og medfølgende ægtefæller møder \
         københavnske virksomheder, der søger medarbejdere.",
        Relative(14, Some(18)),
        (OnTrack, Fortnightly),
        (true, false, 28),
        &[
            "Udstillere tilmeldt",
            "Jobmesse afholdt",
            "Opfølgning på ansættelser",
            "Næste jobmesse planlagt",
        ],
    ),
    plan(
        "internationale_talenter",
        "Bliv i København – fastholdelse af internationale dimittender",
        "Forløb om jobsøgning, netværk og dansk arbejdskultur for internationale dimittender \
         fra byens universiteter.",
        Relative(17, Some(24)),
        (AtRisk, Monthly),
        (false, true, 29),
        &[
            "Aftale med universiteterne",
            "Første forløb afsluttet",
            "Måling af fastholdelse efter et år",
        ],
    ),
    plan(
        "internationale_talenter",
        "Netværk for medfølgende ægtefæller",
        "Information, netværk og hjælp til jobsøgning for ægtefæller til internationale \
         medarbejdere i københavnske virksomheder.",
        Relative(25, Some(18)),
        (Stopped, Monthly),
        (false, false, 30),
        &["Netværket etableret", "100 deltagere", "Evaluering"],
    ),
    // Kultur- og kreative erhverv
    plan(
        "kultur_kreative",
        "Kreative erhverv i Nordvest",
        "Atelierer og værksteder til kreative virksomheder i Nordvest og samarbejde med lokale \
         erhvervsdrivende om fælles arrangementer.",
        Relative(15, Some(24)),
        (OnTrack, Monthly),
        (true, false, 31),
        &[
            "Lokaler fundet",
            "Første værksteder indflyttet",
            "Fælles kulturnat i Nordvest",
            "Evaluering",
        ],
    ),
    silent(plan(
        "kultur_kreative",
        "Vækstforløb for musikbranchen",
        "Forretningsudvikling for små virksomheder i musikbranchen: spillesteder, pladeselskaber \
         og festivaler.",
        Relative(-1, Some(12)),
        (NotStarted, Monthly),
        (false, false, 32),
        &["Deltagere optaget", "Forløbet afsluttet"],
    )),
    // Socialøkonomiske virksomheder
    plan(
        "socialoekonomi",
        "Socialøkonomisk netværk",
        "Netværk for socialøkonomiske, kooperative og demokratiske virksomheder med sparring om \
         finansiering og samarbejde med kommunen.",
        Relative(22, None),
        (OnTrack, Quarterly),
        (true, false, 33),
        &[
            "Netværket etableret",
            "Temamøde om finansiering",
            "Årsmøde med Borgerrepræsentationen",
        ],
    ),
    plan(
        "socialoekonomi",
        "Sociale klausuler i kommunale indkøb",
        "Flere kommunale indkøb hos socialøkonomiske virksomheder og krav om praktikpladser i \
         store kontrakter.",
        Relative(12, Some(24)),
        (AtRisk, Monthly),
        (false, false, 34),
        &[
            "Gennemgang af kommunens kontrakter",
            "Standardklausul udarbejdet",
            "Første udbud med social klausul",
        ],
    ),
];

const MONTHS: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];

const START: &[&str] = &[
    "Initiativet er startet. Projektgruppen er nedsat, og tidsplanen er godkendt i styregruppen.",
    "Opstart: kick-off holdt med de interne partnere. De første aktiviteter ligger i {m}.",
    "Initiativet er i gang. Vi har holdt opstartsmøde med Københavns Erhvervshus og aftalt \
     roller og ansvar.",
];

/// Progress that happens once in an initiative's life, in the order it happens.
const MILESTONE_NEWS: &[&str] = &[
    "Samarbejdsaftalen med partnerne er underskrevet, og rollerne er aftalt.",
    "Interviews med {n} virksomheder gennemført; opsamlingen præsenteres for styregruppen i {m}.",
    "Analysefasen er afsluttet. Implementeringen starter i {m}.",
    "Første workshop holdt med {n} virksomheder; den næste er i {m}.",
    "Informationsmateriale på dansk og engelsk er færdigt og sendt ud til virksomhederne.",
    "Møde med DI og Dansk Erhverv om næste fase; begge organisationer bakker op.",
    "Initiativet er præsenteret for Erhvervsrådet, som bakker op om den videre plan.",
    "Midtvejsevalueringen er klar: deltagerne er tilfredse, og vi justerer formen på møderne.",
];

/// Progress that can be reported again and again.
const ON_TRACK: &[&str] = &[
    "Arbejdet følger planen. Styregruppemøde afholdt, og næste milepæl forventes nået i {m}.",
    "{total} virksomheder har deltaget indtil nu. Tilbagemeldingerne er positive.",
    "Status uændret: aktiviteterne kører som planlagt. Næste statusmøde er i {m}.",
    "Netværksmøde afholdt med {n} deltagere. Vi følger op med individuelle samtaler.",
    "Budgettet holder, og tidsplanen er uændret. En delrapport sendes til udvalget i {m}.",
    "God fremdrift: i alt {total} virksomheder er med, og {some} af dem har sat sig konkrete mål.",
    "Godt fremmøde til temamødet med {n} deltagere. Materialet ligger på kk.dk.",
    "Siden sidste opdatering er {new} nye virksomheder kommet med; i alt {total}.",
];

/// What goes wrong, from the first warning to the way out.
struct Trouble {
    at_risk: &'static str,
    at_risk_still: &'static str,
    delayed: &'static str,
    delayed_still: &'static str,
    resolved: &'static str,
}

const TROUBLES: &[Trouble] = &[
    Trouble {
        at_risk: "I risiko: færre tilmeldinger end ventet. Vi øger den opsøgende indsats i {m}.",
        at_risk_still: "Fortsat for få tilmeldinger. Vi afprøver korte morgenmøder i stedet for \
                        workshops.",
        delayed: "Forsinket: næste hold er udskudt, fordi der ikke er tilmeldinger nok. Ny \
                  opstart i {m}.",
        delayed_still: "Fortsat forsinket. Vi har lagt en ny plan for at finde deltagere sammen \
                        med Københavns Erhvervshus.",
        resolved: "Tilbage på sporet: tilmeldingerne er kommet op på {total}, og holdene er \
                   fyldt.",
    },
    Trouble {
        at_risk: "Risiko for forsinkelse: sagen er endnu ikke sat på udvalgets dagsorden.",
        at_risk_still: "Stadig i risiko. Vi afventer, at udvalget behandler sagen i {m}.",
        delayed: "Forsinket: afventer politisk behandling i udvalget.",
        delayed_still: "Fortsat forsinket. Sagen er nu sat på udvalgets dagsorden i {m}.",
        resolved: "Tilbage på sporet: udvalget har godkendt indstillingen, og arbejdet er \
                   genoptaget.",
    },
    Trouble {
        at_risk: "Risiko for forsinkelse: vi afhænger af data fra en anden forvaltning, som \
                  endnu ikke er leveret.",
        at_risk_still: "Data er stadig ikke leveret. Vi har rykket igen og aftalt et møde i \
                        denne uge.",
        delayed: "Milepælen blev ikke nået til tiden, fordi datagrundlaget var ufuldstændigt. Vi \
                  forventer at være i mål i {m}.",
        delayed_still: "Fortsat forsinket. En ny tidsplan forelægges styregruppen i {m}.",
        resolved: "Tilbage på sporet: data er leveret, og analysen er i gang igen.",
    },
    Trouble {
        at_risk: "Tidsplanen er presset, fordi leverandøren af den tekniske løsning er \
                  forsinket.",
        at_risk_still: "Fortsat i risiko: leverandøren har endnu ikke leveret den aftalte \
                        version.",
        delayed: "Forsinket med omkring to måneder, fordi udbuddet skal gå om. Den nye tidsplan \
                  er sendt til styregruppen.",
        delayed_still: "Stadig forsinket. Det nye udbud forventes afsluttet i {m}.",
        resolved: "Tilbage på sporet: leverancen er på plads, og tidsplanen holder igen.",
    },
    Trouble {
        at_risk: "Tidsplanen er presset, fordi to medarbejdere i projektgruppen er gået på \
                  orlov. Vi omprioriterer opgaverne.",
        at_risk_still: "Stadig presset på ressourcerne. En ny projektmedarbejder starter i {m}.",
        delayed: "Forsinket, fordi projektgruppen har været underbemandet. De planlagte \
                  aktiviteter er rykket.",
        delayed_still: "Fortsat forsinket, men den nye projektmedarbejder er startet, og vi er \
                        ved at indhente det tabte.",
        resolved: "Risikoen er håndteret med ekstra ressourcer fra Center for Beskæftigelse og \
                   Erhverv. Vi følger planen igen.",
    },
    Trouble {
        at_risk: "Budgettet er under pres efter højere udgifter til lokaler og afvikling. Vi ser \
                  på, hvor der kan spares.",
        at_risk_still: "Fortsat i risiko. Styregruppen tager stilling til budgettet i {m}.",
        delayed: "Forsinket: aktiviteterne er sat på pause, indtil budgettet er afklaret.",
        delayed_still: "Fortsat forsinket. Vi afventer budgetforhandlingerne.",
        resolved: "Tilbage på sporet: styregruppen har godkendt et revideret budget.",
    },
    Trouble {
        at_risk: "Partnerne har ikke haft kapacitet til at deltage som aftalt. Vi har et nyt \
                  møde med dem i {m}.",
        at_risk_still: "Uændret status. Styregruppen følger sagen tæt, og vi har lavet en plan \
                        for at indhente det tabte.",
        delayed: "Forsinket, fordi partnerne har trukket deres bidrag til næste fase. Vi leder \
                  efter nye samarbejdspartnere.",
        delayed_still: "Fortsat forsinket. To nye partnere har vist interesse; vi forventer en \
                        afklaring i {m}.",
        resolved: "Tilbage på sporet: partnerne har genbekræftet deres deltagelse.",
    },
];

/// Said while something is wrong, whatever it is.
const STILL: &[&str] = &[
    "Uændret status. Styregruppen følger sagen tæt.",
    "Ingen ændring siden sidste opdatering; vi følger op igen i {m}.",
];

const COMPLETED: &[&str] = &[
    "Gennemført: alle milepæle er nået. Evalueringen sendes til Beskæftigelses-, Integrations- \
     og Erhvervsudvalget.",
    "Initiativet er afsluttet som planlagt; {total} virksomheder deltog. Erfaringerne indgår i \
     arbejdet med den nye erhvervsstrategi.",
];

const STOPPED: &[&str] = &[
    "Stoppet efter beslutning i udvalget; midlerne er flyttet til andre initiativer under \
     strategien.",
    "Initiativet er stoppet, fordi partnerne har trukket sig. Erfaringerne bruges i det videre \
     arbejde.",
];

const NOT_STARTED: &[&str] = &[
    "Ikke startet: planlægningen er i gang, og opstarten er fastlagt til {start}.",
    "Afventer den endelige godkendelse af budgettet; opstart forventes i {start}.",
];

const EXTRA: &[&str] = &[
    "Styregruppen er orienteret.",
    "Næste opdatering følger efter styregruppemødet.",
    "Referatet fra styregruppemødet ligger i sagen.",
    "Erhvervsrådet får en kort status på næste møde.",
];

/// Industry sections (DB07) of the businesses an initiative of a track works with.
fn sections_of(track: &str) -> &'static [&'static str] {
    match track {
        "turisme" => &["I", "N", "R"],
        "arbejdskraft" => &["F", "I", "Q", "G", "H", "N"],
        "groen_omstilling" | "byudvikling" => &["C", "F", "G", "H"],
        "kultur_kreative" => &["R", "J", "M"],
        "innovation" | "international_konkurrenceevne" | "internationale_talenter" => {
            &["M", "J", "C", "Q"]
        }
        _ => &[],
    }
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn month_after(d: NaiveDate) -> &'static str {
    MONTHS[(d.month0() as usize + 1) % 12]
}

fn month_year(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.year())
}

fn ymd((y, m, d): (i32, u32, u32)) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("bad demo date {y}-{m}-{d}"))
}

fn months_from(d: NaiveDate, months: i32) -> NaiveDate {
    let m = Months::new(months.unsigned_abs());
    let shifted = if months >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    };
    shifted.unwrap_or(d)
}

/// A weekday on or before `d`.
fn weekday_before(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d - Duration::days(2),
        _ => d,
    }
}

/// A moment in office hours on `d`, Copenhagen time.
fn office_time(rng: &mut ChaCha8Rng, d: NaiveDate) -> DateTime<Utc> {
    let local = d
        .and_hms_opt(rng.random_range(8..16), rng.random_range(0..60), 0)
        .unwrap_or_default();
    Copenhagen
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The dates of an initiative's updates: the first near its start, then in
/// its rhythm (with the odd gap) up to `last`.
fn update_dates(
    rng: &mut ChaCha8Rng,
    start: NaiveDate,
    last: NaiveDate,
    every: i64,
) -> Vec<NaiveDate> {
    let mut dates = vec![last];
    let jitter = (every / 6).max(1);
    let mut d = last;
    loop {
        let mut step = every + rng.random_range(-jitter..=jitter);
        if rng.random_bool(0.08) {
            step += every / 2;
        }
        d -= Duration::days(step.max(1));
        if d <= start + Duration::days(3) {
            break;
        }
        dates.push(weekday_before(d));
    }
    if start < last {
        let mut first = start + Duration::days(rng.random_range(0..3));
        while matches!(first.weekday(), Weekday::Sat | Weekday::Sun) {
            first += Duration::days(1);
        }
        if first < last {
            dates.push(first);
        }
    }
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// The statuses of `n` updates ending in `last`.
fn statuses(rng: &mut ChaCha8Rng, n: usize, last: InitiativeStatus) -> Vec<InitiativeStatus> {
    let mut out = vec![OnTrack; n];
    if n == 0 {
        return out;
    }
    // A dip along the way, then back on track.
    if n >= 7 && matches!(last, OnTrack | Completed) && rng.random_bool(0.35) {
        let at = rng.random_range(2..n - 4);
        for s in out.iter_mut().skip(at).take(rng.random_range(1..=2)) {
            *s = AtRisk;
        }
    }
    let tail = |rng: &mut ChaCha8Rng, max: usize| rng.random_range(1..=max.min(n - 1).max(1));
    match last {
        AtRisk => {
            let k = tail(rng, 3);
            for s in out.iter_mut().rev().take(k) {
                *s = AtRisk;
            }
        }
        Delayed => {
            let k = tail(rng, 3);
            let r = rng.random_range(1..=2);
            for (i, s) in out.iter_mut().rev().enumerate().take(k + r) {
                *s = if i < k { Delayed } else { AtRisk };
            }
        }
        Stopped => {
            let r = rng.random_range(1..=2);
            for s in out.iter_mut().rev().take(r + 1) {
                *s = AtRisk;
            }
        }
        _ => {}
    }
    if let Some(s) = out.first_mut()
        && n > 1
    {
        *s = OnTrack;
    }
    if let Some(s) = out.last_mut() {
        *s = last;
    }
    out
}

/// What an initiative's log has said so far, so it does not repeat itself.
#[derive(Default)]
struct Log {
    last: &'static str,
    used: Vec<&'static str>,
    /// Businesses taken part so far.
    total: u32,
    /// What is wrong now, if anything.
    trouble: usize,
}

fn update_text(
    rng: &mut ChaCha8Rng,
    log: &mut Log,
    prev: Option<InitiativeStatus>,
    status: InitiativeStatus,
    on: NaiveDate,
    start: NaiveDate,
) -> String {
    let news = matches!(prev, Some(OnTrack | NotStarted))
        && status == OnTrack
        && MILESTONE_NEWS.iter().any(|t| !log.used.contains(t));
    let news = news && rng.random_bool(0.4);
    let troubled = matches!(prev, Some(AtRisk | Delayed));
    if matches!(status, AtRisk | Delayed) && !troubled {
        log.trouble = rng.random_range(0..TROUBLES.len());
    }
    let t = &TROUBLES[log.trouble % TROUBLES.len()];
    let pool: Vec<&'static str> = match (prev, status) {
        (None, OnTrack) => START.to_vec(),
        (Some(AtRisk | Delayed), OnTrack) => vec![t.resolved],
        (_, OnTrack) if news => MILESTONE_NEWS.to_vec(),
        (_, OnTrack) => ON_TRACK.to_vec(),
        (Some(AtRisk), AtRisk) => [&[t.at_risk_still], STILL].concat(),
        (_, AtRisk) => vec![t.at_risk],
        (Some(Delayed), Delayed) => [&[t.delayed_still], STILL].concat(),
        (_, Delayed) => vec![t.delayed],
        (_, Completed) => COMPLETED.to_vec(),
        (_, Stopped) => STOPPED.to_vec(),
        (_, NotStarted) => NOT_STARTED.to_vec(),
    };
    // Never the same text twice in a row, and news only once (in order).
    let fresh: Vec<&'static str> = pool
        .iter()
        .copied()
        .filter(|t| *t != log.last && !log.used.contains(t))
        .collect();
    let chosen = if news {
        fresh.first().copied().unwrap_or(MILESTONE_NEWS[0])
    } else if fresh.is_empty() {
        pick(rng, &pool)
    } else {
        pick(rng, &fresh)
    };
    if news {
        log.used.push(chosen);
    }
    log.last = chosen;
    let new = rng.random_range(1..=6u32);
    log.total += new;
    let some = (log.total * rng.random_range(3..=7) / 10).max(1);
    let mut text = chosen
        .replace("{total}", &log.total.to_string())
        .replace("{new}", &new.to_string())
        .replace("{some}", &some.to_string())
        .replace("{n}", &rng.random_range(6..=30).to_string())
        .replace("{m}", month_after(on))
        .replace("{start}", &month_year(start));
    if status == OnTrack && prev.is_some() && rng.random_bool(0.25) {
        text.push(' ');
        text.push_str(pick(rng, EXTRA));
    }
    text
}

/// The dates of a key figure's values: the last `n` quarter ends before
/// `today`, oldest first.
fn quarter_ends(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let first_of_quarter =
        NaiveDate::from_ymd_opt(today.year(), today.month0() / 3 * 3 + 1, 1).unwrap_or(today);
    (0..n)
        .rev()
        .filter_map(|k| first_of_quarter.checked_sub_months(Months::new(3 * k)))
        .map(|d| d - Duration::days(1))
        .collect()
}

/// The last `n` year ends before `today`, oldest first.
fn year_ends(today: NaiveDate, n: i32) -> Vec<NaiveDate> {
    (1..=n)
        .rev()
        .filter_map(|k| NaiveDate::from_ymd_opt(today.year() - k, 12, 31))
        .collect()
}

struct Figure {
    code: &'static str,
    name_da: &'static str,
    name_en: &'static str,
    unit_da: &'static str,
    unit_en: &'static str,
    direction: Direction,
    track: &'static str,
    /// The initiative (by title) the figure follows, if one.
    initiative: Option<&'static str>,
    public: bool,
    target: f64,
    quarterly: bool,
    /// The k-th value (oldest first) before noise, and the noise's size.
    value: fn(usize) -> f64,
    noise: f64,
    decimals: i32,
}

const FIGURES: &[Figure] = &[
    Figure {
        code: "overnatninger",
        name_da: "Overnatninger i København (seneste 12 måneder)",
        name_en: "Overnight stays in Copenhagen (last 12 months)",
        unit_da: "mio. overnatninger",
        unit_en: "million overnight stays",
        direction: Direction::Higher,
        track: "turisme",
        initiative: None,
        public: true,
        target: 13.0,
        quarterly: true,
        value: |k| 11.4 + 0.17 * k as f64,
        noise: 0.05,
        decimals: 2,
    },
    Figure {
        code: "nye_virksomheder",
        name_da: "Nye virksomheder i København pr. kvartal",
        name_en: "New businesses in Copenhagen per quarter",
        unit_da: "virksomheder",
        unit_en: "businesses",
        direction: Direction::Higher,
        track: "ivaerksaetteri",
        initiative: None,
        public: false,
        target: 2800.0,
        quarterly: true,
        value: |k| 2350.0 + 45.0 * k as f64,
        noise: 60.0,
        decimals: 0,
    },
    Figure {
        code: "talenter_fastholdt",
        name_da: "Internationale talenter, der bliver i København efter to år",
        name_en: "International talent still in Copenhagen after two years",
        unit_da: "%",
        unit_en: "%",
        direction: Direction::Higher,
        track: "internationale_talenter",
        initiative: None,
        public: false,
        target: 60.0,
        quarterly: false,
        value: |k| 52.4 - 1.4 * k as f64,
        noise: 0.3,
        decimals: 1,
    },
    Figure {
        code: "god_service",
        name_da: "Virksomheder, der oplever god service (årlig måling)",
        name_en: "Businesses that experience good service (yearly survey)",
        unit_da: "%",
        unit_en: "%",
        direction: Direction::Higher,
        track: "servicekultur",
        initiative: None,
        public: true,
        target: 80.0,
        quarterly: false,
        value: |k| 67.0 + 3.6 * k as f64,
        noise: 0.4,
        decimals: 0,
    },
    Figure {
        code: "co2_reduktion",
        name_da: "CO₂-reduktion i deltagende virksomheder",
        name_en: "CO₂ reduction in participating businesses",
        unit_da: "ton CO₂ pr. år",
        unit_en: "tonnes CO₂ per year",
        direction: Direction::Higher,
        track: "groen_omstilling",
        initiative: Some("Grøn omstilling i SMV'er"),
        public: false,
        target: 5000.0,
        quarterly: true,
        value: |k| 320.0 + 410.0 * k as f64,
        noise: 40.0,
        decimals: 0,
    },
    Figure {
        code: "sagsbehandlingstid_erhverv",
        name_da: "Sagsbehandlingstid for byggetilladelser til erhverv",
        name_en: "Processing time for commercial building permits",
        unit_da: "dage",
        unit_en: "days",
        direction: Direction::Lower,
        track: "rammevilkaar",
        initiative: Some("Hurtigere sagsbehandling af erhvervstilladelser"),
        public: false,
        target: 40.0,
        quarterly: true,
        value: |k| 68.0 - 0.9 * k as f64,
        noise: 2.5,
        decimals: 0,
    },
];

/// Seeds the demo initiatives and key figures; returns the number of
/// initiatives.
pub async fn seed(
    db: &DatabaseConnection,
    seed: u64,
    business_ids: &[i32],
    consultant_ids: &[i32],
) -> anyhow::Result<usize> {
    if consultant_ids.is_empty() {
        return Ok(0);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x696e_6974_6961_7469);
    let today = crate::app::Clock::system().today();
    let now = Utc::now();
    let tracks: HashMap<String, i32> = strategy_track::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.code, t.id))
        .collect();
    // The businesses by industry section, for links that fit the track.
    let wanted: HashSet<i32> = business_ids.iter().copied().collect();
    let (lo, hi) = (
        business_ids.iter().min().copied().unwrap_or(0),
        business_ids.iter().max().copied().unwrap_or(-1),
    );
    let mut by_section: HashMap<String, Vec<i32>> = HashMap::new();
    let mut all: Vec<i32> = Vec::new();
    for (id, section) in business::Entity::find()
        .select_only()
        .column(business::Column::Id)
        .column(business::Column::IndustrySection)
        .filter(business::Column::Id.between(lo, hi))
        .into_tuple::<(i32, Option<String>)>()
        .all(db)
        .await?
    {
        if !wanted.contains(&id) {
            continue;
        }
        all.push(id);
        if let Some(s) = section {
            by_section.entry(s).or_default().push(id);
        }
    }
    all.sort_unstable();
    for ids in by_section.values_mut() {
        ids.sort_unstable();
    }
    let existing: Vec<key_figure::Model> = key_figure::Entity::find().all(db).await?;

    let tx = db::begin_write(db).await?;
    let mut updates = Vec::new();
    let mut milestones = Vec::new();
    let mut links = Vec::new();
    let mut ids_by_title: HashMap<&str, i32> = HashMap::new();
    for p in PLANS {
        let Some(&track_id) = tracks.get(p.track) else {
            continue;
        };
        let owner = consultant_ids[p.owner % consultant_ids.len()];
        let every = i64::from(p.every.days());
        let (start, end, mut status) = match p.period {
            Relative(ago, months) => {
                let start = months_from(today, -ago) + Duration::days(rng.random_range(-10..=10));
                let end = months.map(|m| months_from(start, m as i32) - Duration::days(1));
                (start, end, p.status)
            }
            Fixed(s, e) => {
                let (start, end) = (ymd(s)?, ymd(e)?);
                // Fixed dates: the status follows from where today falls.
                let status = if start > today {
                    NotStarted
                } else if end < today - Duration::days(14) && !p.status.is_finished() {
                    Completed
                } else if end >= today && p.status == Completed {
                    OnTrack
                } else {
                    p.status
                };
                (start, Some(end), status)
            }
        };
        if start > today && status != NotStarted {
            status = NotStarted;
        }
        // The day of the latest update.
        let last: Option<NaiveDate> = match status {
            NotStarted if p.planning_update => Some(weekday_before(
                today - Duration::days(rng.random_range(3..20)),
            )),
            NotStarted => None,
            Completed => {
                let done = end.unwrap_or(today) + Duration::days(rng.random_range(-10..=14));
                Some(weekday_before(done.min(today - Duration::days(3))))
            }
            Stopped => {
                let span = end.map_or(365, |e| (e - start).num_days());
                let stop = start + Duration::days(span * 3 / 5);
                Some(weekday_before(stop.min(today - Duration::days(30))))
            }
            _ if p.stale => {
                let days = (every as f64 * rng.random_range(1.4..2.6)) as i64;
                Some(weekday_before(today - Duration::days(days)))
            }
            _ => Some(weekday_before(
                today - Duration::days(rng.random_range(1..=(every - 3).max(1))),
            )),
        };
        let dates = match last {
            Some(last) if status == NotStarted => vec![last],
            Some(last) => update_dates(&mut rng, start, last, every),
            None => Vec::new(),
        };
        let seq = statuses(&mut rng, dates.len(), status);
        let mut times: Vec<(DateTime<Utc>, InitiativeStatus, String)> = Vec::new();
        let mut prev = None;
        let mut log = Log::default();
        for (d, s) in dates.iter().zip(&seq) {
            let at = office_time(&mut rng, *d).min(now - Duration::minutes(5));
            let text = update_text(&mut rng, &mut log, prev, *s, *d, start);
            times.push((at, *s, text));
            prev = Some(*s);
        }
        let last_at = times.last().map(|(at, _, _)| *at);
        let first_at = times.first().map(|(at, _, _)| *at).unwrap_or(now);
        let created_on = (start - Duration::days(rng.random_range(14..60)))
            .min(today - Duration::days(rng.random_range(25..60)));
        let created_at = office_time(&mut rng, created_on).min(first_at - Duration::hours(1));
        let row = initiative::ActiveModel {
            track_id: Set(track_id),
            title: Set(p.title.to_string()),
            description: Set(Some(p.description.to_string())),
            owner_id: Set(owner),
            start_date: Set(start),
            end_date: Set(end),
            status: Set(status.as_str().into()),
            update_every_days: Set(p.every.days()),
            is_public: Set(p.public && status != Stopped),
            last_update_at: Set(last_at),
            created_at: Set(created_at),
            updated_at: Set(last_at.unwrap_or(created_at)),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        ids_by_title.insert(p.title, row.id);
        for (at, s, text) in times {
            // Now and then a colleague posts for the owner.
            let user = if consultant_ids.len() > 1 && rng.random_bool(0.12) {
                consultant_ids[rng.random_range(0..consultant_ids.len())]
            } else {
                owner
            };
            updates.push(initiative_update::ActiveModel {
                initiative_id: Set(row.id),
                user_id: Set(user),
                status: Set(s.as_str().into()),
                text: Set(text),
                at: Set(at),
                ..Default::default()
            });
        }
        // Milestones spread over the period; the last one on its end.
        let until =
            end.unwrap_or_else(|| (start + Duration::days(730)).max(today + Duration::days(180)));
        let span = (until - start).num_days().max(30);
        let n = p.milestones.len() as i64;
        let finished_on = match status {
            Completed | Stopped => last,
            _ => None,
        };
        let mut dues: Vec<NaiveDate> = (0..n)
            .map(|k| {
                let base = start + Duration::days(span * (k + 1) / n);
                if k + 1 == n {
                    base.min(until)
                } else {
                    (base + Duration::days(rng.random_range(-7..=7))).clamp(start, until)
                }
            })
            .collect();
        dues.sort_unstable();
        let past = dues.iter().filter(|d| **d < today).count();
        let late = match status {
            AtRisk => 1,
            Delayed => rng.random_range(1..=2),
            OnTrack if rng.random_bool(0.1) => 1,
            _ => 0,
        }
        .min(past);
        for (k, (title, due)) in p.milestones.iter().zip(&dues).enumerate() {
            let done_on = if *due >= today || (k >= past - late && !status.is_finished()) {
                None
            } else {
                let done = (*due + Duration::days(rng.random_range(-14..=7)))
                    .clamp(start, today - Duration::days(1));
                match finished_on {
                    Some(f) if status == Stopped && *due > f => None,
                    Some(f) => Some(done.min(f)),
                    None => Some(done),
                }
            };
            milestones.push(initiative_milestone::ActiveModel {
                initiative_id: Set(row.id),
                title: Set(title.to_string()),
                due_on: Set(*due),
                done_on: Set(done_on),
                ..Default::default()
            });
        }
        // Businesses taking part, from the track's industries where it has some.
        let wanted_links = match status {
            NotStarted => rng.random_range(0..=2),
            _ => rng.random_range(0..=8),
        };
        let pool: Vec<i32> = sections_of(p.track)
            .iter()
            .filter_map(|s| by_section.get(*s))
            .flatten()
            .copied()
            .collect();
        let pool = if pool.is_empty() { &all } else { &pool };
        let mut chosen: Vec<i32> = Vec::new();
        for _ in 0..wanted_links * 3 {
            if chosen.len() >= wanted_links || pool.is_empty() {
                break;
            }
            let id = pool[rng.random_range(0..pool.len())];
            if !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        for business_id in chosen {
            links.push(initiative_business::ActiveModel {
                initiative_id: Set(row.id),
                business_id: Set(business_id),
                ..Default::default()
            });
        }
    }
    for chunk in updates.chunks(500) {
        initiative_update::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    for chunk in milestones.chunks(500) {
        initiative_milestone::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    for chunk in links.chunks(500) {
        initiative_business::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }

    // Manual key figures with two years of values.
    let mut position = existing.iter().map(|f| f.position).max().unwrap_or(-1) + 1;
    let target_date = NaiveDate::from_ymd_opt(2027, 12, 31);
    let mut values = Vec::new();
    for f in FIGURES {
        if existing.iter().any(|e| e.code == f.code) {
            continue;
        }
        let row = key_figure::ActiveModel {
            code: Set(f.code.into()),
            name_da: Set(f.name_da.into()),
            name_en: Set(f.name_en.into()),
            unit_da: Set(f.unit_da.into()),
            unit_en: Set(f.unit_en.into()),
            direction: Set(f.direction.as_str().into()),
            target: Set(Some(f.target)),
            target_date: Set(target_date),
            track_id: Set(tracks.get(f.track).copied()),
            initiative_id: Set(f.initiative.and_then(|t| ids_by_title.get(t).copied())),
            source: Set(FigureSource::Manual.as_str().into()),
            is_public: Set(f.public),
            position: Set(position),
            ..Default::default()
        }
        .insert(&*tx)
        .await?;
        position += 1;
        let dates = if f.quarterly {
            quarter_ends(today, 8)
        } else {
            year_ends(today, 3)
        };
        let scale = 10f64.powi(f.decimals);
        for (k, on) in dates.into_iter().enumerate() {
            let raw = (f.value)(k) + rng.random_range(-1.0..=1.0) * f.noise;
            // Typed in a few weeks after the period, when the figures were out.
            let typed_on = on + Duration::days(rng.random_range(15..40));
            let typed = office_time(&mut rng, typed_on);
            values.push(key_figure_value::ActiveModel {
                key_figure_id: Set(row.id),
                on_date: Set(on),
                value: Set((raw * scale).round() / scale),
                created_by: Set(None),
                created_at: Set(typed.min(now)),
                ..Default::default()
            });
        }
    }
    for chunk in values.chunks(500) {
        key_figure_value::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&*tx)
            .await?;
    }
    // Demo targets on the seeded figures (the DI target is for the demo
    // only: no official one is published), and two live figures public.
    for (code, target, public) in [
        ("di_erhvervsvenlighed", Some(60.0), None),
        ("businesses_in_contact", None, Some(true)),
        ("needs_answered_in_time", Some(90.0), Some(true)),
        ("active_placements", Some(1600.0), None),
        ("positions_filled", Some(60.0), None),
    ] {
        let mut am = <key_figure::ActiveModel as Default>::default();
        if let Some(t) = target {
            am.target = Set(Some(t));
            am.target_date = Set(target_date);
        }
        if let Some(p) = public {
            am.is_public = Set(p);
        }
        key_figure::Entity::update_many()
            .set(am)
            .filter(key_figure::Column::Code.eq(code))
            .exec(&*tx)
            .await?;
    }
    tx.commit().await?;
    Ok(ids_by_title.len())
}
