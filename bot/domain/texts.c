#include "bot/domain/texts.h"

#include <stddef.h>

const char *const texts_required_keys[] = {
    /* citizen conversation */
    "welcome", "welcome_district", "help", "unknown_command", "appeal_too_short",
    "attachment_needs_text", "ask_district", "ask_district_name", "ask_category", "confirm_route",
    "ask_type", "registered", "draft_added", "draft_cancelled", "choice_stale",
    "choice_out_of_range", "button_confirm", "button_change_category", "button_change_district",
    "button_cancel", "language_choose", "language_set", "language_name_kk", "language_name_ru",
    "language_name_en", "status_which", "status_mistyped", "status_not_found", "cases_header",
    "cases_none", "case_summary", "status_now_in_progress", "status_now_closed", "answer_received",
    "outcome_resolved", "outcome_rejected",
    /* words citizens type instead of commands */
    "keywords_help", "keywords_status", "keywords_cases", "keywords_language", "keywords_cancel",
    /* appeal types and statuses */
    "type_complaint", "type_application", "type_proposal", "type_request", "status_draft",
    "status_registered", "status_in_progress", "status_answered", "status_closed",
    "status_reopened", "csv_columns",
    /* counted nouns (plural forms) and the words of periods */
    "working_days_n", "days_n", "chars_n", "chars_upto_n", "messages_n", "stats_period_days",
    "stats_period_all", "stats_period_month", "month_names",
    /* the case history */
    "actor_citizen", "actor_system", "event_drafted", "event_registered", "event_withdrawn",
    "event_taken", "event_answered", "event_rated", "event_closed", "event_closed_rated",
    "event_closed_unrated", "event_reopened", "event_forwarded", "event_forward_late",
    "event_transferred", "event_extended", "event_reminded", "event_due_today", "event_breach",
    "event_stage_skipped", "event_follow_up", "event_contested", "event_file_sent",
    /* staff */
    "case_card", "staff_help", "staff_bad_number", "staff_no_case", "staff_not_yours",
    "staff_inbox_header", "staff_inbox_empty", "staff_case_closed", "staff_taken",
    "staff_answer_too_short", "staff_answered", "staff_close_usage", "staff_reject_needs_reason",
    "staff_closed", "staff_extend_usage", "staff_extend_not_later", "staff_extend_too_far",
    "staff_extended", "staff_transfer_usage", "staff_transferred", "staff_forward_usage",
    "staff_forwarded", "staff_forward_late", "case_extended", "case_transferred", "case_forwarded",
    "staff_supervisors_only", "staff_overdue_header", "staff_overdue_none",
    /* incidents */
    "appeals_n", "incident_known", "incident_known_answer", "button_join", "button_separately",
    "incident_card", "incident_card_line", "incident_card_more", "incident_card_answer",
    "incident_title", "incident_title_proposed", "incident_title_split", "incident_status_proposed",
    "incident_status_confirmed", "incident_status_split", "incident_confirm", "incident_split",
    "incident_answer", "incident_answer_hint", "staff_incident_usage", "staff_no_incident",
    "staff_incident_not_yours", "staff_incidents_header", "staff_incidents_none",
    "staff_incident_line", "staff_incident_over", "staff_incident_confirmed",
    "staff_incident_split", "staff_incident_answered", "staff_incident_nothing_to_answer",
    "staff_incident_not_in", "staff_incident_removed", "staff_incident_added",
    "staff_incident_other_body", "digest_incident_line", "event_incident_joined",
    "event_incident_confirmed", "event_incident_split", "event_incident_left",
    "event_incident_answered", "stats_incidents",
    /* public statistics */
    "public_title", "public_intro", "public_city", "public_bodies", "public_districts",
    "public_columns", "public_chart", "public_none", "public_data", "public_by_month",
    "public_month", "public_all",
    /* the staff dashboard */
    "web_link", "web_private_only", "minutes_n", "web_menu", "web_signout", "web_none",
    "web_columns", "web_download", "web_bad_field", "web_not_your_body", "web_store_down",
    "web_overdue_title", "web_overdue", "web_due_soon", "web_next", "web_previous",
    "web_queue_title", "web_all_bodies", "web_any", "web_search_fields", "web_actions",
    "web_actions_title", "web_answer_label", "web_reason", "web_forward_label", "web_case_title",
    "web_place", "web_files", "web_file_waiting", "web_file_missing", "web_file_photo",
    "web_shown_of", "web_file_document", "web_show", "web_correspondence", "web_history",
    "web_signin_title", "web_signin_text", "web_signin_button", "web_link_spent", "web_need_signin",
    "web_signed_out", "web_form_stale", "web_not_found", "web_charts_title", "web_chart_weekly",
    "web_chart_in_time", "web_chart_median", "web_chart_rating", "web_chart_overdue",
    /* deadlines */
    "deadline_reminder", "deadline_today", "deadline_overdue", "deadline_overdue_supervisor",
    "digest_header", "digest_overdue_line", "digest_today_line",
    /* Telegram */
    "message_edited", "phone_linked", "phone_invalid", "draft_file_added", "draft_location_added",
    "command_start", "command_help", "command_status", "command_cases", "command_lang",
    "command_cancel",
    /* SMS */
    "keywords_stop", "keywords_full", "keywords_public", "keywords_private", "public_done",
    "private_done", "event_published", "event_unpublished", "stop_confirmed", "full_none",
    "answer_truncated_sms",
    /* the citizen's verdict */
    "rate_prompt", "rate_5", "rate_4", "rate_3", "rate_2", "rate_1", "rated_thanks",
    "rated_low_ask", "case_reopened_oversight", "contest_to_body", "contest_to_supervisor",
    "contest_received", "closed_unrated",
    /* case cards */
    "card_take", "card_answer", "card_transfer", "card_extend", "card_close", "card_answer_hint",
    "card_location", "card_title_new", "card_title", "card_title_moved", "card_text_cut",
    "draft_full", "staff_photo_sent", "staff_photo_not_sent", "follow_up_to_body", "follow_up_sent",
    /* statistics */
    "stats_header", "stats_line", "stats_districts", "stats_none", "stats_usage",
    /* bad input */
    "message_unreadable", "message_too_long", "internal_error", NULL};
