//! The audit log's vocabulary, stored as stable codes.
code_list! {
    /// What happened.
    pub enum AuditAction {
        Create = "create", "Oprettet", "Created";
        Update = "update", "Ændret", "Updated";
        Delete = "delete", "Slettet", "Deleted";
        FollowUpDone = "follow_up_done", "Opfølgning udført", "Follow-up done";
        ScheduleEmail = "schedule_email", "E-mail planlagt", "Email scheduled";
        CancelEmail = "cancel_email", "E-mail annulleret", "Email cancelled";
        RetryEmail = "retry_email", "E-mail sendes igen", "Email retried";
        EmailsSent = "emails_sent", "E-mails sendt", "Emails sent";
        EmailDead = "email_dead", "E-mail opgivet", "Email given up";
        ConfirmEmail = "confirm_email", "E-mail bekræftet", "Email confirmed";
        Read = "read", "Læst", "Read";
        Override = "override", "Regel tilsidesat", "Rule overridden";
        Anonymise = "anonymise", "Anonymiseret", "Anonymised";
        Import = "import", "Import", "Import";
        ImportChunk = "import_chunk", "Importeret del", "Import part";
        Login = "login", "Logget ind", "Signed in";
        LoginFailed = "login_failed", "Mislykket login", "Failed sign-in";
        Logout = "logout", "Logget ud", "Signed out";
        Disable = "disable", "Deaktiveret", "Disabled";
        Enable = "enable", "Aktiveret", "Enabled";
        StatusUpdate = "status_update", "Statusopdatering", "Status update";
        Revoke = "revoke", "Tilbagekaldt", "Revoked";
        ApiCall = "api_call", "API-kald", "API call";
        Merge = "merge", "Sammenlagt", "Merged";
        Unmerge = "unmerge", "Sammenlægning fortrudt", "Merge undone";
        Export = "export", "Udtræk", "Export";
        Erase = "erase", "Slettet (GDPR)", "Erased (GDPR)";
        Purge = "purge", "Oprydning (GDPR)", "Purge (GDPR)";
    }
}

code_list! {
    /// The kind of record it happened to.
    pub enum AuditEntity {
        Business = "business", "Virksomhed", "Business";
        PUnit = "p_unit", "P-enhed", "Production unit";
        ContactPerson = "contact_person", "Kontaktperson", "Contact person";
        Contact = "contact", "Kontakt", "Contact";
        Need = "recruitment_need", "Rekrutteringsbehov", "Recruitment need";
        User = "app_user", "Bruger", "User";
        Email = "outbox_email", "E-mail", "Email";
        Placement = "placement", "Placering", "Placement";
        PlacementRule = "placement_rule", "Placeringsregler", "Placement rules";
        Initiative = "initiative", "Initiativ", "Initiative";
        KeyFigure = "key_figure", "Nøgletal", "Key figure";
        ApiToken = "api_token", "API-nøgle", "API token";
        Search = "search", "Søgning", "Search";
    }
}

code_list! {
    /// The parts of the API a token may be allowed into.
    pub enum ApiArea {
        Businesses = "businesses", "Virksomheder (med P-enheder og kontaktpersoner)", "Businesses (with P-units and contact persons)";
        Contacts = "contacts", "Kontakter", "Contacts";
        Needs = "needs", "Rekrutteringsbehov", "Recruitment needs";
        Placements = "placements", "Placeringer (fleksjob, løntilskud, praktik)", "Placements (flex jobs, wage subsidy, work trials)";
        Initiatives = "initiatives", "Initiativer og nøgletal", "Initiatives and key figures";
    }
}
