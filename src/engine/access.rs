//! Who may do what. Every request is answered by one of these rules, given the
//! actor and the scope of what is touched; the web layer only asks.

use super::model::{CompetitorId, ContestId, ContestRole, ContestStatus, OrganisationId, UserId};

/// The party making a request, with what their role is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// Acts for an organisation and everything below it.
    Organiser {
        user: UserId,
        scope: Vec<OrganisationId>,
    },
    /// Judges a set of contests; belongs to an organisation (for conflicts of interest).
    Judge {
        user: UserId,
        organisation: Vec<OrganisationId>,
        contests: Vec<(ContestId, ContestRole)>,
    },
    /// Sees their own data.
    Competitor {
        user: UserId,
        competitor: CompetitorId,
    },
}

/// Why a request is refused, in a sentence for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub crate::i18n::messages::Msg);

pub type Decision = Result<(), Denied>;

fn deny(message: impl Into<crate::i18n::messages::Msg>) -> Decision {
    Err(Denied(message.into()))
}

fn within(scope: &[OrganisationId], path: &[OrganisationId]) -> bool {
    path.len() >= scope.len() && path[..scope.len()] == *scope
}

/// Whose figures of a contest's judge analytics an actor may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalyticsReach {
    /// Every judge's (organisers, the chief judge).
    Every,
    /// Only this judge's own (a judge or trainee judge of the contest).
    Own(UserId),
}

impl AnalyticsReach {
    /// Whether the figures of `judge` are within reach.
    pub fn covers(self, judge: UserId) -> bool {
        match self {
            AnalyticsReach::Every => true,
            AnalyticsReach::Own(u) => u == judge,
        }
    }
}

/// What a contest looks like to the access rules.
#[derive(Debug, Clone, Copy)]
pub struct ContestScope<'a> {
    pub id: ContestId,
    pub status: ContestStatus,
    /// Path of the organising organisation.
    pub organiser: &'a [OrganisationId],
}

impl Actor {
    pub fn user(&self) -> Option<UserId> {
        match self {
            Actor::Anonymous => None,
            Actor::Organiser { user, .. }
            | Actor::Judge { user, .. }
            | Actor::Competitor { user, .. } => Some(*user),
        }
    }

    pub fn is_signed_in(&self) -> bool {
        !matches!(self, Actor::Anonymous)
    }

    pub fn role_name(&self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Organiser { .. } => "organiser",
            Actor::Judge { .. } => "judge",
            Actor::Competitor { .. } => "competitor",
        }
    }

    pub fn judge_role(&self, contest: ContestId) -> Option<ContestRole> {
        match self {
            Actor::Judge { contests, .. } => contests
                .iter()
                .find(|(c, _)| *c == contest)
                .map(|(_, r)| *r),
            _ => None,
        }
    }

    /// Whether the actor judges the contest: who they are and in which role,
    /// or the refusal for anyone else.
    pub fn judge_of(&self, contest: ContestId) -> Result<(UserId, ContestRole), Denied> {
        match self {
            Actor::Judge { user, .. } => match self.judge_role(contest) {
                Some(role) if role.marks() => Ok((*user, role)),
                Some(_) => Err(Denied(crate::i18n::messages::Msg::new(
                    "access_not_a_marking_role",
                ))),
                None => Err(Denied(crate::msg!(
                    "judge_of_other_contest",
                    contest = contest
                ))),
            },
            Actor::Anonymous => Err(Denied(crate::i18n::messages::Msg::new(
                "access_sign_in_judge",
            ))),
            _ => Err(Denied(crate::i18n::messages::Msg::new(
                "access_judges_only",
            ))),
        }
    }

    /// Whether the actor holds `role` in the contest: who they are, or the
    /// refusal naming the role that is needed. Supervisors (监督), arbitrators
    /// (仲裁) and encryption officers are appointed per contest like judges.
    pub fn holds(&self, contest: ContestId, role: ContestRole) -> Result<UserId, Denied> {
        match self {
            Actor::Judge { user, .. } if self.judge_role(contest) == Some(role) => Ok(*user),
            Actor::Anonymous => Err(Denied(crate::i18n::messages::Msg::new("access_sign_in"))),
            _ => Err(Denied(
                crate::i18n::messages::Msg::new("access_needs_role")
                    .part("role", crate::i18n::messages::Msg::new(role.name_key())),
            )),
        }
    }

    /// Reading who is behind each blind number (the mapping of every layer,
    /// with its seed): the contest's encryption officer alone until the
    /// contest is decrypted; after it, also its organisers, supervisors and
    /// chief judge. No other role ever reads it.
    pub fn may_read_blind_mapping(&self, c: &ContestScope<'_>, decrypted: bool) -> Decision {
        let role = self.judge_role(c.id);
        if role == Some(ContestRole::EncryptionOfficer) {
            return Ok(());
        }
        if !decrypted {
            return deny(crate::i18n::messages::Msg::new(
                "blind_mapping_officer_only",
            ));
        }
        if matches!(
            role,
            Some(ContestRole::ChiefJudge) | Some(ContestRole::Supervisor)
        ) {
            return Ok(());
        }
        self.may_manage_contest(c)
            .map_err(|_| Denied(crate::i18n::messages::Msg::new("blind_mapping_refused")))
    }

    /// Following a contest's blind status (layers drawn, decryption
    /// signatures; never numbers): its organisers and everyone appointed to
    /// it (judges and officials).
    pub fn may_follow_blind_status(&self, c: &ContestScope<'_>) -> Decision {
        if self.judge_role(c.id).is_some() {
            return Ok(());
        }
        self.may_manage_contest(c)
    }

    /// Confirming decryption (解密): the contest's chief judge or a
    /// supervisor, each for their own role; who they are and which role.
    pub fn decryption_signer(&self, contest: ContestId) -> Result<(UserId, ContestRole), Denied> {
        for role in [ContestRole::ChiefJudge, ContestRole::Supervisor] {
            if let Ok(user) = self.holds(contest, role) {
                return Ok((user, role));
            }
        }
        match self {
            Actor::Anonymous => Err(Denied(crate::i18n::messages::Msg::new("access_sign_in"))),
            _ => Err(Denied(crate::i18n::messages::Msg::new(
                "blind_decrypt_wrong_role",
            ))),
        }
    }

    /// Supervising a contest's marking and results (sign-off, overrules,
    /// publication, live visibility): its organisers, or its chief judge.
    pub fn may_supervise(&self, c: &ContestScope<'_>) -> Decision {
        if self.judge_role(c.id) == Some(ContestRole::ChiefJudge) {
            return Ok(());
        }
        self.may_manage_contest(c)
    }

    /// How much of a contest's judge analytics (each judge's deviation from
    /// the panel, flags, severity) the actor may read: every judge for the
    /// contest's organisers and its chief judge; only their own figures for
    /// a judge or trainee judge of the contest; nothing for anyone else.
    pub fn judge_analytics_reach(&self, c: &ContestScope<'_>) -> Result<AnalyticsReach, Denied> {
        use crate::i18n::messages::Msg;
        match (self, self.judge_role(c.id)) {
            (_, Some(ContestRole::ChiefJudge)) => Ok(AnalyticsReach::Every),
            (Actor::Judge { user, .. }, Some(role)) if role.marks() => {
                Ok(AnalyticsReach::Own(*user))
            }
            (Actor::Anonymous, _) => Err(Denied(Msg::new("access_sign_in"))),
            (Actor::Organiser { .. }, _) => {
                self.may_manage_contest(c).map(|()| AnalyticsReach::Every)
            }
            _ => Err(Denied(Msg::new("analytics_refused"))),
        }
    }

    /// Changing a contest's flag threshold for judges: its organisers.
    pub fn may_set_judge_flags(&self, c: &ContestScope<'_>) -> Decision {
        self.may_manage_contest(c)
    }

    /// Reading one judge's figures across contests: the judge themself;
    /// an organiser whose scope holds the judge's organisation
    /// (`judge_org`) or who manages a contest the judge judged
    /// (`judged_for_actor`). Which contests the organiser then sees is
    /// [`Actor::judge_analytics_reach`]'s answer for each.
    pub fn may_view_judge_history(
        &self,
        judge: UserId,
        judge_org: &[OrganisationId],
        judged_for_actor: bool,
    ) -> Decision {
        match self {
            Actor::Judge { user, .. } if *user == judge => Ok(()),
            Actor::Organiser { scope, .. } if within(scope, judge_org) || judged_for_actor => {
                Ok(())
            }
            Actor::Organiser { .. } => deny(crate::i18n::messages::Msg::new("access_org_outside")),
            Actor::Anonymous => deny(crate::i18n::messages::Msg::new("access_sign_in")),
            _ => deny(crate::i18n::messages::Msg::new("analytics_own_only")),
        }
    }

    /// Recording check-ins (检录) at the door: the contest's organisers.
    pub fn may_check_in(&self, c: &ContestScope<'_>) -> Decision {
        self.may_manage_contest(c)
    }

    /// Seeing the check-ins: the contest's organisers, and its supervisor (监督).
    pub fn may_view_check_ins(&self, c: &ContestScope<'_>) -> Decision {
        if self.judge_role(c.id) == Some(ContestRole::Supervisor) {
            return Ok(());
        }
        self.may_manage_contest(c)
    }

    /// The fair-play desk of a contest (what its steps have done, never a
    /// blind number): any official appointed to it, and its organisers.
    pub fn may_view_fair_play(&self, c: &ContestScope<'_>) -> Decision {
        if self.judge_role(c.id).is_some() {
            return Ok(());
        }
        self.may_manage_contest(c)
    }

    /// Any signed-in party.
    pub fn require_signed_in(&self) -> Decision {
        if self.is_signed_in() {
            Ok(())
        } else {
            deny(crate::i18n::messages::Msg::new("access_sign_in"))
        }
    }

    /// Adding or changing organisations, competitors and accounts under `path`.
    /// The organisation an organiser acts for (the top of their scope).
    pub fn acting_for(&self) -> Option<OrganisationId> {
        match self {
            Actor::Organiser { scope, .. } => scope.last().copied(),
            _ => None,
        }
    }

    pub fn may_manage_organisation(&self, path: &[OrganisationId]) -> Decision {
        match self {
            Actor::Organiser { scope, .. } if within(scope, path) => Ok(()),
            Actor::Organiser { .. } => deny(crate::i18n::messages::Msg::new("access_org_outside")),
            _ => deny(crate::i18n::messages::Msg::new("access_organisers_only")),
        }
    }

    /// Reference data (tiers, skills) is shared by every organiser.
    pub fn may_manage_reference_data(&self) -> Decision {
        match self {
            Actor::Organiser { .. } => Ok(()),
            _ => deny(crate::i18n::messages::Msg::new("access_organisers_only")),
        }
    }

    /// Setting up a contest, its registrations and its judges.
    pub fn may_manage_contest(&self, c: &ContestScope<'_>) -> Decision {
        match self {
            Actor::Organiser { scope, .. } if within(scope, c.organiser) => Ok(()),
            Actor::Organiser { .. } => {
                deny(crate::i18n::messages::Msg::new("access_contest_outside"))
            }
            _ => deny(crate::i18n::messages::Msg::new(
                "access_contest_organisers_only",
            )),
        }
    }

    /// Seeing a contest: anyone once it is out of draft; its organisers and judges before.
    pub fn may_view_contest(&self, c: &ContestScope<'_>) -> Decision {
        if c.status.is_public()
            || self.may_manage_contest(c).is_ok()
            || self.judge_role(c.id).is_some()
        {
            Ok(())
        } else {
            deny(crate::i18n::messages::Msg::new("access_not_public"))
        }
    }

    /// Seeing a contest's entries with the particulars organisers need (birth
    /// dates, identity-number endings). Judges see entries through
    /// `may_see_entry_of`, never with personal particulars.
    pub fn may_view_registration_details(&self, c: &ContestScope<'_>) -> Decision {
        self.may_manage_contest(c)
    }

    /// Whether a judge may see (and later mark) an entry from the organisation at
    /// `entry_org`. A judge never sees entries from their own organisation or any
    /// organisation below it; with `conflict_depth` set, the conflict extends to the
    /// whole subtree of the judge's ancestor at that depth (0 = the root), e.g. the
    /// same city. Other parties are not judges and are answered by the contest rules.
    pub fn may_see_entry_of(
        &self,
        entry_org: &[OrganisationId],
        conflict_depth: Option<usize>,
    ) -> Decision {
        match self {
            Actor::Judge { organisation, .. } => {
                let level =
                    conflict_depth.map_or(organisation.len(), |d| (d + 1).min(organisation.len()));
                if within(&organisation[..level], entry_org) {
                    deny(crate::i18n::messages::Msg::new("access_conflict_own_org"))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// A competitor's own record, or an organiser over their organisation.
    pub fn may_view_competitor(
        &self,
        id: CompetitorId,
        organisation: &[OrganisationId],
    ) -> Decision {
        match self {
            Actor::Competitor { competitor, .. } if *competitor == id => Ok(()),
            Actor::Organiser { .. } => self.may_manage_organisation(organisation),
            Actor::Anonymous => deny(crate::i18n::messages::Msg::new("access_sign_in")),
            _ => deny(crate::i18n::messages::Msg::new("access_own_record")),
        }
    }

    /// Drawing workstations or the running order by lot (抽签), and drawing
    /// again: the contest's organisers. A supervisor watches and signs the
    /// sheet; they do not draw.
    pub fn may_draw(&self, c: &ContestScope<'_>) -> Decision {
        self.may_manage_contest(c)
    }

    /// The organisers' draw pages and the printable draw sheet: the
    /// contest's organisers, and its supervisors (监督) who watch the draw.
    pub fn may_oversee_draws(&self, c: &ContestScope<'_>) -> Decision {
        if self.judge_role(c.id) == Some(ContestRole::Supervisor) {
            return Ok(());
        }
        match self {
            Actor::Organiser { .. } => self.may_manage_contest(c),
            Actor::Anonymous => deny(crate::i18n::messages::Msg::new("access_sign_in")),
            _ => deny(crate::i18n::messages::Msg::new(
                "draw_organisers_supervisors_only",
            )),
        }
    }

    /// Seeing a contest's draws, their seeds and places (the draw sheet
    /// posted at the venue): its organisers and supervisors always; anyone
    /// who may see the contest while it is not blind; nobody else while it
    /// is blind (`blind`), since a workstation would tell a judge whose
    /// work they mark.
    pub fn may_view_draws(&self, c: &ContestScope<'_>, blind: bool) -> Decision {
        if self.may_oversee_draws(c).is_ok() {
            return Ok(());
        }
        if blind {
            return match self {
                Actor::Anonymous => deny(crate::i18n::messages::Msg::new("access_sign_in")),
                _ => deny(crate::i18n::messages::Msg::new("draw_blind_hidden")),
            };
        }
        self.may_view_contest(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ids: &[i64]) -> Vec<OrganisationId> {
        ids.iter().map(|i| OrganisationId(*i)).collect()
    }

    fn actors() -> Vec<(&'static str, Actor)> {
        vec![
            ("anonymous", Actor::Anonymous),
            (
                "province organiser",
                Actor::Organiser {
                    user: UserId(1),
                    scope: p(&[1]),
                },
            ),
            (
                "city organiser",
                Actor::Organiser {
                    user: UserId(2),
                    scope: p(&[1, 2]),
                },
            ),
            (
                "judge",
                Actor::Judge {
                    user: UserId(3),
                    organisation: p(&[1, 2, 5]),
                    contests: vec![(ContestId(9), ContestRole::Judge)],
                },
            ),
            (
                "competitor",
                Actor::Competitor {
                    user: UserId(4),
                    competitor: CompetitorId(7),
                },
            ),
        ]
    }

    #[test]
    fn who_may_manage_and_view_a_draft_contest() {
        let provincial = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Draft,
            organiser: &[OrganisationId(1)],
        };
        let expect = [
            ("anonymous", false, false),
            ("province organiser", true, true),
            ("city organiser", false, false),
            ("judge", false, true),
            ("competitor", false, false),
        ];
        for ((name, actor), (n2, manage, view)) in actors().iter().zip(expect) {
            assert_eq!(*name, n2);
            assert_eq!(
                actor.may_manage_contest(&provincial).is_ok(),
                manage,
                "{name} manage"
            );
            assert_eq!(
                actor.may_view_contest(&provincial).is_ok(),
                view,
                "{name} view"
            );
        }
        let public = ContestScope {
            status: ContestStatus::Registration,
            ..provincial
        };
        assert!(actors()
            .iter()
            .all(|(_, a)| a.may_view_contest(&public).is_ok()));
    }

    #[test]
    fn judges_never_see_their_own_organisation() {
        let (_, judge) = &actors()[3];
        assert!(judge.may_see_entry_of(&p(&[1, 2, 5]), None).is_err());
        assert!(judge.may_see_entry_of(&p(&[1, 2, 5, 8]), None).is_err());
        assert!(judge.may_see_entry_of(&p(&[1, 2, 6]), None).is_ok());
        // At city level (depth 1) the whole city is in conflict.
        assert!(judge.may_see_entry_of(&p(&[1, 2, 6]), Some(1)).is_err());
        assert!(judge.may_see_entry_of(&p(&[1, 3, 6]), Some(1)).is_ok());
    }

    #[test]
    fn organisers_manage_only_their_subtree() {
        let (_, city) = &actors()[2];
        assert!(city.may_manage_organisation(&p(&[1, 2, 9])).is_ok());
        assert!(city.may_manage_organisation(&p(&[1, 3])).is_err());
        assert!(city.may_manage_organisation(&p(&[1])).is_err());
        let (_, competitor) = &actors()[4];
        assert!(competitor
            .may_view_competitor(CompetitorId(7), &p(&[1]))
            .is_ok());
        assert!(competitor
            .may_view_competitor(CompetitorId(8), &p(&[1]))
            .is_err());
    }

    #[test]
    fn who_draws_and_who_sees_the_draws() {
        let scope = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Registration,
            organiser: &[OrganisationId(1)],
        };
        let supervisor = Actor::Judge {
            user: UserId(6),
            organisation: p(&[1, 4]),
            contests: vec![(ContestId(9), ContestRole::Supervisor)],
        };
        // anonymous, province organiser, city organiser, judge, competitor:
        // (draws, sees when open, sees when blind)
        let expect = [
            (false, true, false),
            (true, true, true),
            (false, true, false),
            (false, true, false),
            (false, true, false),
        ];
        for ((name, actor), (draws, open, blind)) in actors().iter().zip(expect) {
            assert_eq!(actor.may_draw(&scope).is_ok(), draws, "{name} draws");
            assert_eq!(
                actor.may_view_draws(&scope, false).is_ok(),
                open,
                "{name} sees"
            );
            assert_eq!(
                actor.may_view_draws(&scope, true).is_ok(),
                blind,
                "{name} sees a blind contest's draws"
            );
        }
        assert!(supervisor.may_draw(&scope).is_err());
        assert!(supervisor.may_oversee_draws(&scope).is_ok());
        assert!(supervisor.may_view_draws(&scope, true).is_ok());
    }

    #[test]
    fn who_judges_and_who_supervises_a_contest() {
        let scope = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Running,
            organiser: &[OrganisationId(1)],
        };
        let chief = Actor::Judge {
            user: UserId(5),
            organisation: p(&[1, 3]),
            contests: vec![(ContestId(9), ContestRole::ChiefJudge)],
        };
        let expect = [
            ("anonymous", false, false),
            ("province organiser", false, true),
            ("city organiser", false, false),
            ("judge", true, false),
            ("competitor", false, false),
        ];
        for ((name, actor), (n2, judges, supervises)) in actors().iter().zip(expect) {
            assert_eq!(*name, n2);
            assert_eq!(
                actor.judge_of(ContestId(9)).is_ok(),
                judges,
                "{name} judges"
            );
            assert_eq!(
                actor.may_supervise(&scope).is_ok(),
                supervises,
                "{name} supervises"
            );
        }
        assert_eq!(
            chief.judge_of(ContestId(9)),
            Ok((UserId(5), ContestRole::ChiefJudge))
        );
        assert!(chief.may_supervise(&scope).is_ok());
        assert!(chief.judge_of(ContestId(8)).is_err());
        let other = ContestScope {
            id: ContestId(8),
            ..scope
        };
        assert!(chief.may_supervise(&other).is_err());
    }

    fn official(role: ContestRole) -> Actor {
        Actor::Judge {
            user: UserId(6),
            organisation: p(&[1, 4]),
            contests: vec![(ContestId(9), role)],
        }
    }

    #[test]
    fn officials_who_do_not_mark_hold_their_role_and_nothing_else() {
        let scope = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Running,
            organiser: &[OrganisationId(1)],
        };
        for role in [
            ContestRole::Supervisor,
            ContestRole::Arbitrator,
            ContestRole::EncryptionOfficer,
        ] {
            let a = official(role);
            assert_eq!(a.holds(ContestId(9), role), Ok(UserId(6)), "{role}");
            assert!(a.holds(ContestId(8), role).is_err(), "{role} elsewhere");
            assert!(a.holds(ContestId(9), ContestRole::ChiefJudge).is_err());
            assert_eq!(
                a.judge_of(ContestId(9)),
                Err(Denied(crate::i18n::messages::Msg::new(
                    "access_not_a_marking_role"
                ))),
                "{role} does not mark"
            );
            assert!(a.may_supervise(&scope).is_err(), "{role} supervises");
            assert!(a.may_check_in(&scope).is_err(), "{role} checks in");
            assert!(a.may_view_fair_play(&scope).is_ok(), "{role} desk");
            assert!(a.may_view_contest(&scope).is_ok(), "{role} views");
            assert_eq!(
                a.may_view_check_ins(&scope).is_ok(),
                role == ContestRole::Supervisor,
                "{role} sees check-ins"
            );
        }
        // A trainee marks (its marks never count), and holds its own role.
        let trainee = official(ContestRole::Trainee);
        assert_eq!(
            trainee.judge_of(ContestId(9)),
            Ok((UserId(6), ContestRole::Trainee))
        );
        assert!(trainee.holds(ContestId(9), ContestRole::Trainee).is_ok());
        assert!(trainee.holds(ContestId(9), ContestRole::Judge).is_err());
        assert!(Actor::Anonymous
            .holds(ContestId(9), ContestRole::Supervisor)
            .is_err());
    }

    #[test]
    fn who_checks_in_and_who_sees_the_check_ins() {
        let scope = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Running,
            organiser: &[OrganisationId(1)],
        };
        let expect = [
            ("anonymous", false, false, false),
            ("province organiser", true, true, true),
            ("city organiser", false, false, false),
            ("judge", false, false, true),
            ("competitor", false, false, false),
        ];
        for ((name, actor), (n2, check, view, desk)) in actors().iter().zip(expect) {
            assert_eq!(*name, n2);
            assert_eq!(actor.may_check_in(&scope).is_ok(), check, "{name} checks");
            assert_eq!(
                actor.may_view_check_ins(&scope).is_ok(),
                view,
                "{name} views"
            );
            assert_eq!(
                actor.may_view_fair_play(&scope).is_ok(),
                desk,
                "{name} desk"
            );
        }
    }

    #[test]
    fn who_reads_judge_analytics() {
        let contest = ContestScope {
            id: ContestId(9),
            status: ContestStatus::Running,
            organiser: &[OrganisationId(1)],
        };
        let judge = |role| Actor::Judge {
            user: UserId(30),
            organisation: p(&[1, 3]),
            contests: vec![(ContestId(9), role)],
        };
        let reach = |a: &Actor| a.judge_analytics_reach(&contest).ok();
        for (name, actor) in actors() {
            let want = match name {
                "province organiser" => Some(AnalyticsReach::Every),
                "judge" => Some(AnalyticsReach::Own(UserId(3))),
                _ => None,
            };
            assert_eq!(reach(&actor), want, "{name}");
        }
        assert_eq!(
            reach(&judge(ContestRole::ChiefJudge)),
            Some(AnalyticsReach::Every)
        );
        assert_eq!(
            reach(&judge(ContestRole::Trainee)),
            Some(AnalyticsReach::Own(UserId(30)))
        );
        for role in [
            ContestRole::Supervisor,
            ContestRole::Arbitrator,
            ContestRole::EncryptionOfficer,
        ] {
            assert_eq!(reach(&judge(role)), None, "{role:?}");
        }
        // A judge of another contest reads nothing of this one.
        let elsewhere = Actor::Judge {
            user: UserId(31),
            organisation: p(&[1, 3]),
            contests: vec![(ContestId(8), ContestRole::ChiefJudge)],
        };
        assert_eq!(reach(&elsewhere), None);
        assert!(AnalyticsReach::Own(UserId(3)).covers(UserId(3)));
        assert!(!AnalyticsReach::Own(UserId(3)).covers(UserId(4)));
        assert!(AnalyticsReach::Every.covers(UserId(4)));
    }

    #[test]
    fn who_reads_a_judges_history() {
        let (me, other) = (UserId(3), UserId(40));
        for (name, actor) in actors() {
            let own = actor
                .may_view_judge_history(me, &p(&[1, 2, 5]), false)
                .is_ok();
            let foreign = actor
                .may_view_judge_history(other, &p(&[1, 6]), false)
                .is_ok();
            let (want_own, want_foreign) = match name {
                "province organiser" => (true, true),
                "city organiser" => (true, false),
                "judge" => (true, false),
                _ => (false, false),
            };
            assert_eq!((own, foreign), (want_own, want_foreign), "{name}");
        }
        // An organiser who manages a contest the judge judged may look.
        let city = &actors()[2].1;
        assert!(city
            .may_view_judge_history(other, &p(&[1, 6]), true)
            .is_ok());
    }
}
