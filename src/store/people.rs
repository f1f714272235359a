//! People banso has met: a staff member's department is asked once and
//! remembered (and can be changed), so it lives in the store.

use super::{Store, StoreError};

/// Saves a person's dialogue state, replacing the one before. Also run
/// inside the intake transaction (`IntakeTerms::ask_department`).
pub(in crate::store) const SAVE_CONVERSATION: &str = "INSERT INTO conversations (user_id, state, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";

/// What banso remembers of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub display_name: Option<String>,
    pub department: Option<String>,
    /// Epoch seconds of the last change.
    pub updated_at: i64,
}

impl Store {
    /// Inserts or replaces what banso knows of a person.
    pub async fn save_person(&self, person: &Person) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(
            "INSERT INTO people (user_id, display_name, department, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, \
             department = excluded.department, updated_at = excluded.updated_at",
        )
        .bind(&person.user_id)
        .bind(&person.display_name)
        .bind(&person.department)
        .bind(person.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn person(&self, user_id: &str) -> Result<Option<Person>, StoreError> {
        let row: Option<(String, Option<String>, Option<String>, i64)> = sqlx::query_as(
            "SELECT user_id, display_name, department, updated_at FROM people WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(
            row.map(|(user_id, display_name, department, updated_at)| Person {
                user_id,
                display_name,
                department,
                updated_at,
            }),
        )
    }
}

impl Store {
    /// Sets a person's department and fills it in on their consultations
    /// that were recorded before they said it. Returns how many were filled.
    pub async fn set_department(
        &self,
        user_id: &str,
        department: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        self.set_department_telling(user_id, department, now, |_| Vec::new())
            .await
    }

    /// A dialogue in progress with `user_id` (a form, a question), as the
    /// bot serialised it, and when it was saved (epoch seconds); kept in
    /// the store so a restart loses nothing typed.
    pub async fn conversation(&self, user_id: &str) -> Result<Option<(String, i64)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT state, updated_at FROM conversations WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn save_conversation(
        &self,
        user_id: &str,
        state: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query(SAVE_CONVERSATION)
            .bind(user_id)
            .bind(state)
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn clear_conversation(&self, user_id: &str) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        sqlx::query("DELETE FROM conversations WHERE user_id = $1")
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

impl Store {
    /// When banso last read this person's Slack profile (epoch seconds),
    /// if ever.
    pub async fn profile_checked_at(&self, user_id: &str) -> Result<Option<i64>, StoreError> {
        let checked: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT profile_checked_at FROM people WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(checked.and_then(|(at,)| at))
    }

    /// Records what Slack's profile says of a person. A department from
    /// Slack replaces a stated one and fills in their consultations that
    /// lacked it; without one, a department banso had from Slack stays but
    /// the person may state another.
    pub async fn record_profile(
        &self,
        user_id: &str,
        display_name: Option<&str>,
        department: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO people (user_id, display_name, updated_at, profile_checked_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (user_id) DO UPDATE SET display_name = COALESCE(excluded.display_name, people.display_name), \
             profile_checked_at = excluded.profile_checked_at",
        )
        .bind(user_id)
        .bind(display_name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        match department {
            Some(department) => {
                sqlx::query(
                    "UPDATE people SET department = $1, department_source = 'slack', updated_at = $2 \
                     WHERE user_id = $3 AND (department IS NULL OR department <> $1 OR department_source IS NULL)",
                )
                .bind(department)
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE consultations SET department = $1 WHERE requester = $2 AND department IS NULL",
                )
                .bind(department)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "UPDATE people SET department_source = NULL WHERE user_id = $1 AND department_source = 'slack'",
                )
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The person's department if it comes from their Slack profile (and so
    /// is not theirs to change in banso).
    pub async fn department_from_slack(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT department FROM people WHERE user_id = $1 AND department_source = 'slack'",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|(department,)| department))
    }
}
