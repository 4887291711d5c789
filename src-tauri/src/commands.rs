//! `#[tauri::command]`s: one-line delegations to the facade.

use berth_api::ApiError;
use berth_api::wire::{EngineView, OwnEngineView};
use tauri::State;

use crate::App;

#[tauri::command]
pub async fn engine_view(app: State<'_, App>) -> Result<EngineView, ApiError> {
    Ok(app.berth.engine_view().await)
}

#[tauri::command]
pub async fn engine_start(app: State<'_, App>) -> Result<OwnEngineView, ApiError> {
    app.berth.engine_start().await
}

#[tauri::command]
pub async fn engine_stop(app: State<'_, App>) -> Result<bool, ApiError> {
    app.berth.engine_stop().await
}

#[tauri::command]
pub async fn engine_restart(app: State<'_, App>) -> Result<OwnEngineView, ApiError> {
    app.berth.engine_restart().await
}
