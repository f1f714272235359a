//! The lifecycle of a security consultation (相談), as a state machine:
//! 受付 → 対応中 → 回答済 → 完了, with 取下げ and 対象外 from any open state,
//! reopening from 回答済, and the coordinators' decision on a request held
//! over the monthly limit (仕様書 4(1)ア(ｱ): 上限１０件／月).

use serde::Serialize;

/// The longest consultation text banso accepts, in characters; longer text
/// is refused whole rather than stored cut.
pub const MAX_TEXT_CHARS: usize = 3_000;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 100;

/// Where a consultation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 受付: recorded, nobody has picked it up yet.
    Received,
    /// 対応中: a consultant is on it.
    InProgress,
    /// 回答済: answered; the requester may still follow up.
    Answered,
    /// 完了: done.
    Closed,
    /// 取下げ: withdrawn by the requester; does not count.
    Withdrawn,
    /// 対象外: out of the contract's scope; does not count.
    OutOfScope,
    /// 保留（上限超過）: over the month's limit, awaiting a coordinator.
    Held,
    /// 却下: declined by a coordinator; does not count.
    Declined,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Received,
        Status::InProgress,
        Status::Answered,
        Status::Closed,
        Status::Withdrawn,
        Status::OutOfScope,
        Status::Held,
        Status::Declined,
    ];

    /// The stable name stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::Answered => "answered",
            Status::Closed => "closed",
            Status::Withdrawn => "withdrawn",
            Status::OutOfScope => "out_of_scope",
            Status::Held => "held",
            Status::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// Still waiting for someone to act.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received | Status::InProgress | Status::Answered | Status::Held
        )
    }

    /// Counts against the quota of the month it is assigned to. Withdrawn,
    /// out-of-scope, declined and still-held requests do not.
    pub fn counts_toward_quota(self) -> bool {
        matches!(
            self,
            Status::Received | Status::InProgress | Status::Answered | Status::Closed
        )
    }
}

/// What someone does to a consultation (a button or a command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 担当する
    Assign,
    /// 回答済
    Answer,
    /// 完了
    Close,
    /// 再開: back from 回答済 to 対応中 for a follow-up.
    Reopen,
    /// 取下げ
    Withdraw,
    /// 対象外
    MarkOutOfScope,
    /// 承認: count a held request this month as an exception.
    ApproveException,
    /// 翌月に繰越: count a held request in next month's quota.
    CarryOver,
    /// 却下
    Decline,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Assign,
        Action::Answer,
        Action::Close,
        Action::Reopen,
        Action::Withdraw,
        Action::MarkOutOfScope,
        Action::ApproveException,
        Action::CarryOver,
        Action::Decline,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Assign => "assign",
            Action::Answer => "answer",
            Action::Close => "close",
            Action::Reopen => "reopen",
            Action::Withdraw => "withdraw",
            Action::MarkOutOfScope => "out_of_scope",
            Action::ApproveException => "approve",
            Action::CarryOver => "carry_over",
            Action::Decline => "decline",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.code() == code)
    }
}

/// The roles of the contract (仕様書 6(2)) and of the city's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 所管課の職員: everyone without another role.
    Staff,
    /// 受託者の専門家
    Consultant,
    /// 情報化推進室
    Coordinator,
    /// プロジェクトリーダ
    ProjectLeader,
    /// プロジェクトマネージャ
    ProjectManager,
}

impl Role {
    /// Sees every consultation and the team channel.
    pub fn is_team(self) -> bool {
        !matches!(self, Role::Staff)
    }
}

/// What a consultation is about (the form's 区分).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// ポリシー・規程
    PolicyRules,
    /// 技術
    Technical,
    /// クラウド・ISMAP (仕様書 4(1)エ)
    CloudIsmap,
    /// 調達 (仕様書 4(2)ア)
    Procurement,
    /// インシデント
    Incident,
    /// その他
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::PolicyRules,
        Category::Technical,
        Category::CloudIsmap,
        Category::Procurement,
        Category::Incident,
        Category::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Category::PolicyRules => "policy",
            Category::Technical => "technical",
            Category::CloudIsmap => "cloud",
            Category::Procurement => "procurement",
            Category::Incident => "incident",
            Category::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|category| category.code() == code)
    }
}

/// How an action changes the quota count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaEffect {
    None,
    /// It stops counting (withdrawn, out of scope): give its slot back.
    Release,
    /// A held request counts this month, over the limit, as an exception.
    TakeAsException,
    /// A held request counts in next month's quota.
    TakeInNextPeriod,
}

/// The quota effect of moving from `from` to `to` by `action`.
pub fn quota_effect(from: Status, to: Status, action: Action) -> QuotaEffect {
    match (from, action) {
        (Status::Held, Action::ApproveException) => QuotaEffect::TakeAsException,
        (Status::Held, Action::CarryOver) => QuotaEffect::TakeInNextPeriod,
        _ if from.counts_toward_quota() && !to.counts_toward_quota() => QuotaEffect::Release,
        _ => QuotaEffect::None,
    }
}

/// Who is acting, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The most senior of the actor's roles.
    pub role: Role,
    /// Listed as a coordinator, whatever the most senior role: someone in
    /// two roles has the powers of both, and the coordinators' decisions
    /// are the one power a more senior role does not include.
    pub is_coordinator: bool,
    pub is_requester: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{action:?} is not possible from {from:?}")]
    InvalidTransition { from: Status, action: Action },
    #[error("{role:?} may not {action:?}")]
    NotPermitted { role: Role, action: Action },
}

/// The state `action` leads to from `from`, if the actor may take it.
/// Permission is checked first, so a staff member pressing a coordinator's
/// button learns it is not theirs, whatever the state.
pub fn transition(from: Status, action: Action, actor: Actor) -> Result<Status, TransitionError> {
    if !may_take(action, actor) {
        return Err(TransitionError::NotPermitted {
            role: actor.role,
            action,
        });
    }
    next_status(from, action).ok_or(TransitionError::InvalidTransition { from, action })
}

fn next_status(from: Status, action: Action) -> Option<Status> {
    use Status::*;
    match (action, from) {
        (Action::Assign, Received | InProgress) => Some(InProgress),
        // Answering without pressing 担当する first is allowed: the answerer
        // becomes the assignee.
        (Action::Answer, Received | InProgress) => Some(Answered),
        (Action::Close, Answered) => Some(Closed),
        (Action::Reopen, Answered) => Some(InProgress),
        (Action::Withdraw | Action::MarkOutOfScope, status) if status.is_open() => {
            Some(match action {
                Action::Withdraw => Withdrawn,
                _ => OutOfScope,
            })
        }
        (Action::ApproveException | Action::CarryOver, Held) => Some(Received),
        (Action::Decline, Held) => Some(Declined),
        _ => None,
    }
}

/// Who may take which action. Coordinators decide what counts (対象外 and
/// the over-limit decisions); the contractor's team works the answer; the
/// requester may withdraw, close or follow up on their own request.
fn may_take(action: Action, actor: Actor) -> bool {
    let role = actor.role;
    match action {
        Action::Assign | Action::Answer => role.is_team(),
        Action::Close | Action::Reopen => role.is_team() || actor.is_requester,
        Action::Withdraw => actor.is_requester || actor.is_coordinator,
        Action::MarkOutOfScope | Action::ApproveException | Action::CarryOver | Action::Decline => {
            actor.is_coordinator
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    const COORDINATOR: Actor = Actor {
        role: Role::Coordinator,
        is_coordinator: true,
        is_requester: false,
    };
    const CONSULTANT: Actor = Actor {
        role: Role::Consultant,
        is_coordinator: false,
        is_requester: false,
    };
    const REQUESTER: Actor = Actor {
        role: Role::Staff,
        is_coordinator: false,
        is_requester: true,
    };
    const OTHER_STAFF: Actor = Actor {
        role: Role::Staff,
        is_coordinator: false,
        is_requester: false,
    };

    #[test]
    fn the_lifecycle_table() {
        let cases = [
            (Received, Assign, CONSULTANT, Ok(InProgress)),
            (InProgress, Assign, CONSULTANT, Ok(InProgress)),
            (InProgress, Answer, CONSULTANT, Ok(Answered)),
            (Received, Answer, CONSULTANT, Ok(Answered)),
            (Answered, Close, CONSULTANT, Ok(Closed)),
            (Answered, Close, REQUESTER, Ok(Closed)),
            (Answered, Reopen, REQUESTER, Ok(InProgress)),
            (Received, Withdraw, REQUESTER, Ok(Withdrawn)),
            (Answered, Withdraw, REQUESTER, Ok(Withdrawn)),
            (Held, Withdraw, REQUESTER, Ok(Withdrawn)),
            (InProgress, MarkOutOfScope, COORDINATOR, Ok(OutOfScope)),
            (Held, ApproveException, COORDINATOR, Ok(Received)),
            (Held, CarryOver, COORDINATOR, Ok(Received)),
            (Held, Decline, COORDINATOR, Ok(Declined)),
            (
                Received,
                Close,
                CONSULTANT,
                Err(TransitionError::InvalidTransition {
                    from: Received,
                    action: Close,
                }),
            ),
            (
                Closed,
                Reopen,
                CONSULTANT,
                Err(TransitionError::InvalidTransition {
                    from: Closed,
                    action: Reopen,
                }),
            ),
            (
                Closed,
                Withdraw,
                REQUESTER,
                Err(TransitionError::InvalidTransition {
                    from: Closed,
                    action: Withdraw,
                }),
            ),
            (
                Withdrawn,
                Assign,
                CONSULTANT,
                Err(TransitionError::InvalidTransition {
                    from: Withdrawn,
                    action: Assign,
                }),
            ),
            (
                Held,
                Assign,
                CONSULTANT,
                Err(TransitionError::InvalidTransition {
                    from: Held,
                    action: Assign,
                }),
            ),
            (
                Received,
                Decline,
                COORDINATOR,
                Err(TransitionError::InvalidTransition {
                    from: Received,
                    action: Decline,
                }),
            ),
            (
                Received,
                Assign,
                OTHER_STAFF,
                Err(TransitionError::NotPermitted {
                    role: Role::Staff,
                    action: Assign,
                }),
            ),
            (
                Received,
                Withdraw,
                OTHER_STAFF,
                Err(TransitionError::NotPermitted {
                    role: Role::Staff,
                    action: Withdraw,
                }),
            ),
            (
                Received,
                MarkOutOfScope,
                CONSULTANT,
                Err(TransitionError::NotPermitted {
                    role: Role::Consultant,
                    action: MarkOutOfScope,
                }),
            ),
            (
                Held,
                ApproveException,
                REQUESTER,
                Err(TransitionError::NotPermitted {
                    role: Role::Staff,
                    action: ApproveException,
                }),
            ),
        ];
        for (from, action, actor, expected) in cases {
            assert_eq!(
                transition(from, action, actor),
                expected,
                "{from:?} --{action:?}--> by {actor:?}"
            );
        }
    }

    #[test]
    fn terminal_states_accept_nothing() {
        for status in [Closed, Withdrawn, OutOfScope, Declined] {
            assert!(!status.is_open());
            for action in Action::ALL {
                assert!(
                    transition(status, action, COORDINATOR).is_err(),
                    "{status:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn only_worked_states_count_toward_the_quota() {
        let counting: Vec<_> = Status::ALL
            .into_iter()
            .filter(|status| status.counts_toward_quota())
            .collect();
        assert_eq!(counting, vec![Received, InProgress, Answered, Closed]);
    }

    #[test]
    fn quota_effects_of_each_move() {
        let cases = [
            (Received, Withdrawn, Withdraw, QuotaEffect::Release),
            (Answered, OutOfScope, MarkOutOfScope, QuotaEffect::Release),
            (Held, Withdrawn, Withdraw, QuotaEffect::None),
            (
                Held,
                Received,
                ApproveException,
                QuotaEffect::TakeAsException,
            ),
            (Held, Received, CarryOver, QuotaEffect::TakeInNextPeriod),
            (Held, Declined, Decline, QuotaEffect::None),
            (Received, InProgress, Assign, QuotaEffect::None),
            (Answered, Closed, Close, QuotaEffect::None),
        ];
        for (from, to, action, expected) in cases {
            assert_eq!(
                quota_effect(from, to, action),
                expected,
                "{from:?} -> {to:?}"
            );
        }
    }

    #[test]
    fn codes_round_trip() {
        for category in Category::ALL {
            assert_eq!(Category::from_code(category.code()), Some(category));
        }
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()), Some(status));
        }
        for action in Action::ALL {
            assert_eq!(Action::from_code(action.code()), Some(action));
        }
        assert_eq!(Status::from_code("nonsense"), None);
    }
}
