//! People banso has met: a staff member's department is asked once and
//! remembered (and can be changed), so it lives in the store.

use super::{Store, StoreError};

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
        let _turn = self.write_turn().await;
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO people (user_id, department, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET department = excluded.department, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(department)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let filled = sqlx::query(
            "UPDATE consultations SET department = $1 WHERE requester = $2 AND department IS NULL",
        )
        .bind(department)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(filled)
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
        sqlx::query(
            "INSERT INTO conversations (user_id, state, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
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
