"""Which records go to review instead of being published, and what a curator must check in each."""

UNCHECKED_URL_NOTE = "URL not opened: check it resolves and supports the records citing it"

# Records whose status facts-notes.md section 0 calls unverified after mid-2026.
UNVERIFIED_STATUS = frozenset(
    {
        "ec_us_affiliates_rule",
        "ec_cn_70_2025",
        "ec_cn_61_2025",
        "ec_cn_62_2025",
        "ec_cn_57_2025",
        "ec_cn_46_2024",
    }
)

# What a curator must check before publishing each record that is loaded in review.
CURATOR_NOTES: dict[str, str] = {
    # source_checked: false
    "mr_ds_v25": "Sources not opened: check the release date (2024-09-05 or -06), the merge of DeepSeek-V2-Chat "
    "and DeepSeek-Coder-V2-Instruct, sizes and licence against the Hugging Face card deepseek-ai/DeepSeek-V2.5.",
    "mr_qwen25max": "Sources not opened: check the release date 2025-01-28, the MoE architecture, the "
    "over-20T-token claim and API-only availability against the Qwen2.5-Max blog post.",
    "mr_mistral7b": "Sources not opened: check the release date 2023-09-27, 7.3B parameters, 8K context and the "
    "Apache 2.0 licence against the Mistral 7B announcement.",
    "mr_mixtral8x7b": "Sources not opened: check the release date 2023-12-11, 46.7B total / 12.9B active "
    "parameters, 32K context and the Apache 2.0 licence against the Mixtral announcement.",
    "mr_gpt4": "Source not opened: check the release date 2023-03-14 and the 8K / 32K context variants against "
    "OpenAI's GPT-4 post.",
    "mr_gpt4o": "Source not opened: check the release date 2024-05-13 and the 128K context against OpenAI's "
    "GPT-4o post.",
    "mr_o3": "Source not opened: check the o3 / o4-mini release date 2025-04-16, the o3-mini date 2025-01-31 "
    "and the 200K context against OpenAI's post.",
    "mr_claude3": "Source not opened: check the release date 2024-03-04, the 200K context and Haiku's "
    "availability date 2024-03-13 against Anthropic's Claude 3 post.",
    "mr_gemini15": "Source not opened: check the release date 2024-02-15, the MoE architecture and the 128K "
    "standard / 1M preview context against Google's Gemini 1.5 post.",
    "mr_gemini20": "Source not opened: check the release date 2024-12-11, the 1M context and general "
    "availability on 2025-02-05 against Google's Gemini 2.0 post.",
    "mr_gemini25": "Source not opened: check the release date 2025-03-25, the 1M context and general "
    "availability on 2025-06-17 against Google's Gemini 2.5 post.",
    "ag_ukaisi_claude35_june": "Source not opened: check that Anthropic's Claude 3.5 Sonnet launch post "
    "(2024-06-20) says the model was given to UK AISI for pre-deployment testing and that UK AISI shared "
    "results with US AISI.",
    # confidence: low
    "ag_dsr1_huawei_modelarts": "Confidence low: find a Huawei Cloud statement of DeepSeek-R1 / V3 hosting on "
    "ModelArts Studio and its start date; the Ascend 910C claim comes from a tipster's X post.",
    "ec_us_inspur_2023": "Confidence low: find the Federal Register document that added Inspur Group to the "
    "Entity List in 2023, and check the 2023-03-02 date; add its effective date and FR citation.",
    "nvidia-rtx-pro-6000d": "Confidence low: no NVIDIA datasheet; check the 84 GB GDDR7, 448-bit bus and "
    "19,968-core figures and the reports of a Chinese purchase ban against a primary source.",
    "nvidia-b30a": "Confidence low: a reported, unreleased chip with no published specifications; check "
    "whether it was launched or cancelled before publishing.",
    "amd-mi308x": "Confidence low: no AMD datasheet or launch announcement; check AMD's filings for the "
    "product and its licence history, and fill the figures if AMD published any.",
    "huawei-ascend-910b": "Confidence low: all figures are third-party (about 320 TFLOPS FP16, 64 GB HBM2e); "
    "find a Huawei datasheet and check memory and compute.",
    # Status unverified after mid-2026 (facts-notes.md section 0)
    "ec_us_affiliates_rule": "Status not verified after mid-2026: the suspension ran to 2026-11-09; check "
    "whether it was extended, lapsed (rule back in force from 2026-11-10) or replaced, and check the IFR "
    "publication date (2025-09-29, -30 or 10-02) against the Federal Register.",
    "ec_cn_70_2025": "Status not verified after mid-2026: check whether the suspension ended on 2026-11-10 as "
    "scheduled, was extended, or was replaced.",
    "ec_cn_61_2025": "Status not verified after mid-2026: suspended by No. 70 until 2026-11-10; check whether "
    "it came back into force on 2026-11-10, stayed suspended or was withdrawn, and update the end date.",
    "ec_cn_62_2025": "Status not verified after mid-2026: suspended by No. 70 until 2026-11-10; check whether "
    "it came back into force on 2026-11-10, stayed suspended or was withdrawn, and update the end date.",
    "ec_cn_57_2025": "Status not verified after mid-2026: suspended by No. 70 before taking effect, until "
    "2026-11-10; check whether it took effect after that date, and settle the effective date (2025-11-08 per "
    "Fastmarkets, 2025-10-09 per vbw).",
    "ec_cn_46_2024": "Status not verified after mid-2026: clause (2) (no licences for Ga, Ge, Sb and "
    "superhard materials to the US) was suspended until 2026-11-27; check whether that suspension was "
    "extended, lapsed or replaced.",
}
