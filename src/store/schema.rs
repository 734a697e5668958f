//! Table definitions shared by both backends. Only types that SQLite and PostgreSQL
//! both understand are used: BigInt, Integer, Text, Bool, Date, Timestamp.

diesel::table! {
    installation (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        kind -> Text,
        path -> Text,
        depth -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tiers (id) {
        id -> BigInt,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        rank -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skills (id) {
        id -> BigInt,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        team_size -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contests (id) {
        id -> BigInt,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        skill_id -> BigInt,
        tier_id -> BigInt,
        organiser_org_id -> BigInt,
        starts_on -> Date,
        ends_on -> Date,
        reference_date -> Date,
        status -> Text,
        min_age -> Nullable<Integer>,
        max_age -> Nullable<Integer>,
        required_group -> Nullable<Text>,
        eligible_org_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        time_zone -> Text,
    }
}

diesel::table! {
    contest_prerequisites (contest_id, required_contest_id) {
        contest_id -> BigInt,
        required_contest_id -> BigInt,
    }
}

diesel::table! {
    competitors (id) {
        id -> BigInt,
        name -> Text,
        id_hash -> Text,
        id_last4 -> Text,
        id_kind -> Text,
        birth_date -> Date,
        gender -> Text,
        organisation_id -> BigInt,
        grp -> Text,
        skill_level -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    entries (id) {
        id -> BigInt,
        contest_id -> BigInt,
        start_number -> Text,
        team_name -> Nullable<Text>,
        organisation_id -> BigInt,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    entry_members (competitor_id, contest_id) {
        entry_id -> BigInt,
        competitor_id -> BigInt,
        contest_id -> BigInt,
        seat -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        kind -> Text,
        organisation_id -> BigInt,
        competitor_id -> Nullable<BigInt>,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    contest_judges (contest_id, user_id) {
        contest_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        token_hash -> Text,
        contest_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        issued_from -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        subject_type -> Text,
        subject_id -> Nullable<BigInt>,
        detail -> Text,
    }
}

diesel::table! {
    schemes (id) {
        id -> BigInt,
        contest_id -> BigInt,
        version -> Integer,
        body -> Text,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    panels (id) {
        id -> BigInt,
        contest_id -> BigInt,
        code -> Text,
        name -> Text,
        covers -> Text,
        conflict_depth -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    panel_judges (panel_id, user_id) {
        panel_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    marks (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        aspect -> Text,
        slot -> Text,
        seq -> Integer,
        value -> Text,
        client_id -> Text,
        replaces -> Nullable<BigInt>,
        judge_id -> BigInt,
        device -> Text,
        reason -> Nullable<Text>,
        scheme_version -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    module_locks (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        module -> Text,
        locked_by -> BigInt,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    entry_scores (entry_id) {
        entry_id -> BigInt,
        contest_id -> BigInt,
        scheme_version -> Integer,
        total -> Text,
        marked -> Integer,
        flagged -> Integer,
        detail -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contest_policies (id) {
        id -> BigInt,
        contest_id -> BigInt,
        version -> Integer,
        body -> Text,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    entry_measures (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        name -> Text,
        value -> Text,
        reason -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    publications (id) {
        id -> BigInt,
        contest_id -> BigInt,
        version -> Integer,
        reason -> Nullable<Text>,
        seed -> BigInt,
        scheme_version -> Integer,
        policy_version -> Integer,
        body -> Text,
        published_by -> Nullable<BigInt>,
        published_at -> Timestamp,
        appeal_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    brackets (id) {
        id -> BigInt,
        contest_id -> BigInt,
        code -> Text,
        format -> Text,
        options -> Text,
        entrants -> Text,
        seeding -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bracket_results (id) {
        id -> BigInt,
        bracket_id -> BigInt,
        match_id -> Text,
        body -> Nullable<Text>,
        reason -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    contest_pathways (id) {
        id -> BigInt,
        contest_id -> BigInt,
        version -> Integer,
        body -> Text,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    advancements (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        from_contest_id -> BigInt,
        from_entry_id -> BigInt,
        publication_version -> Integer,
        rule -> Text,
        confirmed_by -> Nullable<BigInt>,
        confirmed_at -> Timestamp,
    }
}

diesel::table! {
    live_rankings (contest_id) {
        contest_id -> BigInt,
        public -> Bool,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    fair_play_settings (contest_id) {
        contest_id -> BigInt,
        blind_layers -> Integer,
        appeal_minutes -> Integer,
        appeal_from -> Text,
        recheck_required -> Bool,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    judge_flag_settings (contest_id) {
        contest_id -> BigInt,
        mad_share -> Text,
        min_marks -> Integer,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    check_ins (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        status -> Text,
        identity_matched -> Bool,
        reason -> Nullable<Text>,
        client_id -> Text,
        device -> Text,
        checked_by -> BigInt,
        checked_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    draws (id) {
        id -> BigInt,
        contest_id -> BigInt,
        kind -> Text,
        seed -> BigInt,
        reason -> Nullable<Text>,
        replaces -> Nullable<BigInt>,
        drawn_by -> BigInt,
        drawn_at -> Timestamp,
        session_size -> Nullable<Integer>,
    }
}

diesel::table! {
    draw_places (draw_id, entry_id) {
        draw_id -> BigInt,
        entry_id -> BigInt,
        place -> Integer,
    }
}

diesel::table! {
    blind_draws (id) {
        id -> BigInt,
        contest_id -> BigInt,
        layer -> Integer,
        seed -> BigInt,
        reason -> Nullable<Text>,
        replaces -> Nullable<BigInt>,
        drawn_by -> BigInt,
        drawn_at -> Timestamp,
    }
}

diesel::table! {
    blind_numbers (draw_id, entry_id) {
        draw_id -> BigInt,
        entry_id -> BigInt,
        number -> Text,
    }
}

diesel::table! {
    signatures (id) {
        id -> BigInt,
        contest_id -> BigInt,
        purpose -> Text,
        version -> Integer,
        role -> Text,
        user_id -> BigInt,
        signed_at -> Timestamp,
    }
}

diesel::table! {
    rechecks (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        total -> Text,
        agrees -> Bool,
        note -> Nullable<Text>,
        checked_by -> BigInt,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    appeals (id) {
        id -> BigInt,
        contest_id -> BigInt,
        entry_id -> BigInt,
        grounds -> Text,
        filed_by -> BigInt,
        filed_at -> Timestamp,
    }
}

diesel::table! {
    appeal_events (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        kind -> Text,
        outcome -> Nullable<Text>,
        body -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    appeal_attachments (id) {
        id -> BigInt,
        appeal_id -> BigInt,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        body -> Binary,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        code -> Text,
        contest_id -> BigInt,
        version -> Integer,
        entry_id -> BigInt,
        competitor_id -> BigInt,
        holder -> Text,
        award -> Text,
        position -> Integer,
        issued_by -> Nullable<BigInt>,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    paper_forms (id) {
        id -> BigInt,
        contest_id -> BigInt,
        judge_id -> BigInt,
        module -> Text,
        recorded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    paper_entries (id) {
        id -> BigInt,
        form_id -> BigInt,
        round -> Integer,
        typist_id -> BigInt,
        cells -> Text,
        typed_at -> Timestamp,
    }
}

diesel::table! {
    paper_resolutions (id) {
        id -> BigInt,
        form_id -> BigInt,
        entry_id -> BigInt,
        aspect -> Text,
        value -> Nullable<Text>,
        reason -> Text,
        resolved_by -> BigInt,
        resolved_at -> Timestamp,
    }
}

diesel::table! {
    honours_programmes (id) {
        id -> BigInt,
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        tier_id -> BigInt,
        awarding_org_id -> BigInt,
        stage -> Text,
        review_contest_id -> Nullable<BigInt>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    honours_programme_versions (id) {
        id -> BigInt,
        programme_id -> BigInt,
        version -> Integer,
        body -> Text,
        reason -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    person_attributes (id) {
        id -> BigInt,
        competitor_id -> BigInt,
        name -> Text,
        value -> Nullable<Text>,
        set_by -> Nullable<BigInt>,
        set_at -> Timestamp,
    }
}

diesel::table! {
    nominations (id) {
        id -> BigInt,
        programme_id -> BigInt,
        competitor_id -> BigInt,
        organisation_id -> BigInt,
        statement -> Text,
        status -> Text,
        entry_id -> Nullable<BigInt>,
        nominated_by -> Nullable<BigInt>,
        nominated_at -> Timestamp,
        status_reason -> Nullable<Text>,
        status_by -> Nullable<BigInt>,
        status_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    nomination_attachments (id) {
        id -> BigInt,
        nomination_id -> BigInt,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        body -> Binary,
    }
}

diesel::table! {
    honours_lists (id) {
        id -> BigInt,
        programme_id -> BigInt,
        version -> Integer,
        body -> Text,
        reason -> Text,
        programme_version -> Integer,
        review_contest_id -> BigInt,
        publication_version -> Integer,
        objection_id -> Nullable<BigInt>,
        confirmed_by -> Nullable<BigInt>,
        confirmed_at -> Timestamp,
        notice_ends -> Timestamp,
    }
}

diesel::table! {
    honours_list_members (list_id, competitor_id) {
        list_id -> BigInt,
        competitor_id -> BigInt,
        nomination_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    honours_objections (id) {
        id -> BigInt,
        programme_id -> BigInt,
        list_version -> Integer,
        nomination_id -> BigInt,
        grounds -> Text,
        lodged_by -> BigInt,
        lodged_at -> Timestamp,
        status -> Text,
        reasons -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(contests -> skills (skill_id));
diesel::joinable!(contests -> tiers (tier_id));
diesel::joinable!(competitors -> organisations (organisation_id));
diesel::joinable!(entries -> contests (contest_id));
diesel::joinable!(entries -> organisations (organisation_id));
diesel::joinable!(entry_members -> entries (entry_id));
diesel::joinable!(entry_members -> competitors (competitor_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(contest_judges -> users (user_id));
diesel::joinable!(contest_judges -> contests (contest_id));
diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(panel_judges -> panels (panel_id));
diesel::joinable!(marks -> entries (entry_id));
diesel::joinable!(entry_scores -> entries (entry_id));
diesel::joinable!(check_ins -> entries (entry_id));
diesel::joinable!(draw_places -> draws (draw_id));
diesel::joinable!(blind_numbers -> blind_draws (draw_id));
diesel::joinable!(appeal_events -> appeals (appeal_id));
diesel::joinable!(appeal_attachments -> appeals (appeal_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    tiers,
    skills,
    contests,
    contest_prerequisites,
    competitors,
    entries,
    entry_members,
    users,
    contest_judges,
    auth_tokens,
    audit_log,
    schemes,
    panels,
    panel_judges,
    marks,
    module_locks,
    entry_scores,
    contest_policies,
    entry_measures,
    publications,
    contest_pathways,
    advancements,
    brackets,
    bracket_results,
    live_rankings,
    fair_play_settings,
    check_ins,
    draws,
    draw_places,
    blind_draws,
    blind_numbers,
    signatures,
    rechecks,
    appeals,
    appeal_events,
    appeal_attachments,
    judge_flag_settings,
    certificates,
    paper_forms,
    paper_entries,
    paper_resolutions,
    honours_programmes,
    honours_programme_versions,
    person_attributes,
    nominations,
    nomination_attachments,
    honours_lists,
    honours_list_members,
    honours_objections,
);
