"""Hand-made mapping tables from the fact sheets' ids and wording to registry records.

Everything here is a curator's decision about how a sheet entry maps onto the data model (slugs, display
names, how a multi-variant size statement becomes one number, which records the sheets link). The facts
themselves stay in the sheets; the builder copies them and fails on any entry these tables do not cover.
"""

from datasets.choices import AccessTypeChoices, EndReasonChoices, SourceKindChoices

# Organizations ------------------------------------------------------------------------------------------------

# Sheet id -> (name, aliases, extra description). The name drops the parenthetical or alternative names the
# sheet adds; those become aliases (only names the sheet itself gives) or, when they are not names, a line
# of the description. The sheet's full name is always kept in the description.
ORGANIZATIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "deepseek": ("DeepSeek", ("Hangzhou DeepSeek Artificial Intelligence Co.",), ""),
    "alibaba_qwen": ("Alibaba Cloud - Qwen team", (), ""),
    "moonshot": ("Moonshot AI", (), ""),
    "zhipu": ("Zhipu AI", ("Z.ai", "Beijing Zhipu Huazhang Technology Co., Ltd."), ""),
    "minimax": ("MiniMax", (), ""),
    "baidu": ("Baidu", (), ""),
    "meta": ("Meta Platforms", ("Meta AI",), ""),
    "mistral": ("Mistral AI", (), ""),
    "openai": ("OpenAI", (), ""),
    "anthropic": ("Anthropic", (), ""),
    "google_deepmind": ("Google DeepMind", (), ""),
    "xai": ("xAI", (), ""),
    "microsoft": ("Microsoft", (), ""),
    "amazon": ("Amazon", ("Amazon Web Services",), ""),
    "inspur": ("Inspur Group", (), ""),
    "asml": ("ASML Holding", (), ""),
    "nvidia": ("NVIDIA", (), ""),
    "amd": ("Advanced Micro Devices", ("AMD",), ""),
    "huawei": ("Huawei Technologies", (), "The record includes Ascend / HiSilicon and Huawei Cloud."),
    "cambricon": ("Cambricon Technologies", (), ""),
    "hygon": ("Hygon Information Technology", (), ""),
    "sophgo": ("Sophgo", (), ""),
    "biren": ("Biren Technology", (), ""),
    "moore_threads": ("Moore Threads", (), ""),
    "us_bis": ("U.S. Department of Commerce - Bureau of Industry and Security", ("BIS",), ""),
    "us_white_house": ("The White House", ("Executive Office of the President",), ""),
    "us_caisi": (
        "Center for AI Standards and Innovation",
        ("CAISI", "U.S. AI Safety Institute", "US AISI"),
        "Part of NIST. Named the U.S. AI Safety Institute (US AISI) until June 2025, when it was renamed the "
        "Center for AI Standards and Innovation (CAISI).",
    ),
    "uk_aisi": (
        "UK AI Security Institute",
        ("UK AI Safety Institute",),
        "Renamed from AI Safety Institute to AI Security Institute in 2025.",
    ),
    "us_gao": ("U.S. Government Accountability Office", (), ""),
    "cn_mofcom": ("Ministry of Commerce of the PRC", ("MOFCOM",), ""),
    "cn_gacc": ("General Administration of Customs of the PRC", ("GACC",), ""),
    "cn_cac": ("Cyberspace Administration of China", ("CAC",), ""),
    "cn_samr": ("State Administration for Market Regulation", ("SAMR",), ""),
    "nl_gov": ("Government of the Netherlands - Minister for Foreign Trade and Development Cooperation", (), ""),
    "jp_meti": ("Japan Ministry of Economy, Trade and Industry", ("METI",), ""),
}

# chips.yaml names vendors by id; `google` (the Cloud TPU vendor) is not in facts.yaml's organization list.
# It is not Google DeepMind (a lab), so it gets its own record, cited to Google's own TPU documentation.
CHIP_VENDORS: dict[str, dict] = {
    "google": {
        "name": "Google",
        "aliases": ("Google Cloud",),
        "country": "US",
        "kind": "cloud",
        "website": "",
        "description": "Vendor of the Cloud TPU accelerators (offered through Google Cloud rather than sold as "
        "chips). Named only as a chip vendor (id `google`) in the chip fact sheet, not in the organization "
        "list; country US as for Google DeepMind's parent Alphabet in the fact sheet.",
        "sources": ("src_gcloud_v5p", "src_gcloud_v6e"),
    },
}

ORGANIZATION_KINDS = {
    "ai_lab": "ai_lab",
    "chipmaker": "chipmaker",
    "cloud": "cloud_provider",
    "government_agency": "government_agency",
    "other": "other",
}

# Sources -------------------------------------------------------------------------------------------------------

# The sheets say only primary / secondary / mirror; the registry says what the document is. Defaults:
# primary -> company_announcement, mirror -> legal_text (all but one are Federal Register mirrors),
# secondary -> news_report; the exceptions are listed here.
SOURCE_KINDS: dict[str, str] = {
    # Federal Register and other legal texts, their mirrors and translations.
    "src_govinfo_2025_00711": SourceKindChoices.LEGAL_TEXT,
    "src_govinfo_2025_02655": SourceKindChoices.LEGAL_TEXT,
    "src_govinfo_2026_00789": SourceKindChoices.LEGAL_TEXT,
    "src_gao_b337935": SourceKindChoices.LEGAL_TEXT,
    "src_lenzo_3a090": SourceKindChoices.LEGAL_TEXT,
    "src_um_antimony": SourceKindChoices.LEGAL_TEXT,
    "src_osenc_re18": SourceKindChoices.LEGAL_TEXT,
    "src_sscollege_62": SourceKindChoices.LEGAL_TEXT,
    # Agencies' own statements and reports.
    "src_nist_sonnet35": SourceKindChoices.OFFICIAL_STATEMENT,
    "src_aisi_sonnet35": SourceKindChoices.OFFICIAL_STATEMENT,
    "src_aisi_o1": SourceKindChoices.OFFICIAL_STATEMENT,
    # Model repositories, model cards and their mirrors.
    "src_gh_ds_llm": SourceKindChoices.MODEL_CARD,
    "src_gh_ds_coder": SourceKindChoices.MODEL_CARD,
    "src_gh_ds_v2": SourceKindChoices.MODEL_CARD,
    "src_hf_ds_v25": SourceKindChoices.MODEL_CARD,
    "src_gh_ds_v3": SourceKindChoices.MODEL_CARD,
    "src_gh_ds_r1": SourceKindChoices.MODEL_CARD,
    "src_featherless_v30324": SourceKindChoices.MODEL_CARD,
    "src_gh_ds_v32exp": SourceKindChoices.MODEL_CARD,
    "src_vertex_r10528": SourceKindChoices.MODEL_CARD,
    "src_gh_qwen3": SourceKindChoices.MODEL_CARD,
    "src_gh_qwq": SourceKindChoices.MODEL_CARD,
    "src_gh_kimi_k15": SourceKindChoices.MODEL_CARD,
    "src_gh_kimi_k2": SourceKindChoices.MODEL_CARD,
    "src_gh_glm45": SourceKindChoices.MODEL_CARD,
    "src_gh_minimax_m1": SourceKindChoices.MODEL_CARD,
    "src_gh_llama_models": SourceKindChoices.MODEL_CARD,
    "src_gh_mistral_inference": SourceKindChoices.MODEL_CARD,
    "src_gh_gptoss": SourceKindChoices.MODEL_CARD,
    "src_anthropic_transparency": SourceKindChoices.MODEL_CARD,
    # Papers and technical reports (arXiv).
    "src_arxiv_ds_v3": SourceKindChoices.PAPER,
    "src_openai_o1_sc": SourceKindChoices.PAPER,
    # Law-firm notes, regulatory trackers, industry bodies, commentary, spec aggregators and wikis.
    "src_hf_openr1_update4": SourceKindChoices.ANALYSIS,
    "src_vllm_issue_v4": SourceKindChoices.ANALYSIS,
    "src_aitldr_kimi_k15": SourceKindChoices.ANALYSIS,
    "src_gpt5_sc_summary": SourceKindChoices.ANALYSIS,
    "src_jakehandy_gpt5": SourceKindChoices.ANALYSIS,
    "src_ltw_asl3": SourceKindChoices.ANALYSIS,
    "src_medium_gpt3": SourceKindChoices.ANALYSIS,
    "src_th_el_oct2023": SourceKindChoices.ANALYSIS,
    "src_kelleydrye_dec2024": SourceKindChoices.ANALYSIS,
    "src_akingump_rescind": SourceKindChoices.ANALYSIS,
    "src_crowell_gp10": SourceKindChoices.ANALYSIS,
    "src_th_huawei_2019": SourceKindChoices.ANALYSIS,
    "src_tp_huawei_2019": SourceKindChoices.ANALYSIS,
    "src_spb_affiliates_susp": SourceKindChoices.ANALYSIS,
    "src_jonesday_susp": SourceKindChoices.ANALYSIS,
    "src_cov_h200": SourceKindChoices.ANALYSIS,
    "src_cjo_gage": SourceKindChoices.ANALYSIS,
    "src_mondaq_gage": SourceKindChoices.ANALYSIS,
    "src_iea_graphite": SourceKindChoices.ANALYSIS,
    "src_hk_re18": SourceKindChoices.ANALYSIS,
    "src_chemradar_61": SourceKindChoices.ANALYSIS,
    "src_pillsbury_suspend": SourceKindChoices.ANALYSIS,
    "src_chemradar_70": SourceKindChoices.ANALYSIS,
    "src_vbw_re": SourceKindChoices.ANALYSIS,
    "src_jdsupra_samr": SourceKindChoices.ANALYSIS,
    "src_twobirds_nl": SourceKindChoices.ANALYSIS,
    "src_hl_japan": SourceKindChoices.ANALYSIS,
    "src_bakermck_japan": SourceKindChoices.ANALYSIS,
    "src_klockwood_a100": SourceKindChoices.ANALYSIS,
    "src_klockwood_h100": SourceKindChoices.ANALYSIS,
    "src_klockwood_b200": SourceKindChoices.ANALYSIS,
    "src_lambda_gpu_specs": SourceKindChoices.ANALYSIS,
    "src_grokipedia_h100": SourceKindChoices.ANALYSIS,
    "src_gpublog_h100": SourceKindChoices.ANALYSIS,
    "src_philisun_h800": SourceKindChoices.ANALYSIS,
    "src_aiminingco_h200": SourceKindChoices.ANALYSIS,
    "src_saulelectric_h200": SourceKindChoices.ANALYSIS,
    "src_bakermckenzie_h200_rule": SourceKindChoices.ANALYSIS,
    "src_fenwick_h200_rule": SourceKindChoices.ANALYSIS,
    "src_morganlewis_h200_rule_copy": SourceKindChoices.ANALYSIS,
    "src_verda_gb300": SourceKindChoices.ANALYSIS,
    "src_vultr_hgx_b200": SourceKindChoices.ANALYSIS,
    "src_aiwiki_b200": SourceKindChoices.ANALYSIS,
    "src_awesomeagents_b200": SourceKindChoices.ANALYSIS,
    "src_aiwiki_gb200_nvl72": SourceKindChoices.ANALYSIS,
    "src_hmctech_b200_gb200": SourceKindChoices.ANALYSIS,
    "src_mullet_l40s": SourceKindChoices.ANALYSIS,
    "src_itcreations_l40s": SourceKindChoices.ANALYSIS,
    "src_grokipedia_l4_l40s": SourceKindChoices.ANALYSIS,
    "src_gpuname_rtxpro6000": SourceKindChoices.ANALYSIS,
    "src_gpublog_mi250x": SourceKindChoices.ANALYSIS,
    "src_gpublog_mi300x": SourceKindChoices.ANALYSIS,
    "src_mi300x_vs_h200_report": SourceKindChoices.ANALYSIS,
    "src_codesota_mi300x": SourceKindChoices.ANALYSIS,
    "src_localaimaster_mi300x": SourceKindChoices.ANALYSIS,
    "src_jonpeddie_mi308": SourceKindChoices.ANALYSIS,
    "src_aiwiki_mi325x": SourceKindChoices.ANALYSIS,
    "src_awesomeagents_mi325x": SourceKindChoices.ANALYSIS,
    "src_wiaix_mi325x": SourceKindChoices.ANALYSIS,
    "src_boardor_ascend": SourceKindChoices.ANALYSIS,
    "src_oryoy_910b": SourceKindChoices.ANALYSIS,
    "src_freshfields_gp10": SourceKindChoices.ANALYSIS,
    "src_reportify_roadmap": SourceKindChoices.ANALYSIS,
    "src_besthub_roadmap": SourceKindChoices.ANALYSIS,
    "src_aiwiki_910c": SourceKindChoices.ANALYSIS,
    "src_awesomeagents_910c": SourceKindChoices.ANALYSIS,
    "src_aiwiki_v5p": SourceKindChoices.ANALYSIS,
}
DEFAULT_SOURCE_KINDS = {
    "primary": SourceKindChoices.COMPANY_ANNOUNCEMENT,
    "mirror": SourceKindChoices.LEGAL_TEXT,
    "secondary": SourceKindChoices.NEWS_REPORT,
}

# Model releases ------------------------------------------------------------------------------------------------


def _release(slug, name, family, total=None, active=None, context=None, arxiv="", hf="", chips=()):
    return {
        "slug": slug,
        "name": name,
        "family": family,
        "parameters_total": total,
        "parameters_active": active,
        "context_length": context,
        "arxiv_id": arxiv,
        "huggingface_repo": hf,
        "training_chips": chips,
    }


B = 1_000_000_000
T = 1_000 * B
K = 1_000
M = 1_000_000

H800, H100, A100 = "nvidia-h800-sxm", "nvidia-h100-sxm", "nvidia-a100-sxm"

# Sheet id -> the record's slug, display name, family, and the numbers read from the sheet's size and context
# statements (the largest variant; K = 1,000 tokens; the full statements go into the notes). arXiv ids and
# Hugging Face repositories only where the sheet (record or cited source) states them; training chips only
# where the sheet names a chip that is in the chip sheet.
MODEL_RELEASES: dict[str, dict] = {
    "mr_ds_coder": _release("deepseek-coder", "DeepSeek Coder", "DeepSeek Coder", 33 * B, None, 16 * K, "2401.14196"),
    "mr_ds_llm67b": _release("deepseek-llm", "DeepSeek LLM", "DeepSeek LLM", 67 * B, None, 4096, "2401.02954"),
    "mr_ds_v2": _release("deepseek-v2", "DeepSeek-V2", "DeepSeek-V2", 236 * B, 21 * B, 128 * K, "2405.04434"),
    "mr_ds_v25": _release(
        "deepseek-v2-5", "DeepSeek-V2.5", "DeepSeek-V2", 236 * B, 21 * B, 128 * K, hf="deepseek-ai/DeepSeek-V2.5"
    ),
    "mr_ds_v3": _release(
        "deepseek-v3", "DeepSeek-V3", "DeepSeek-V3", 671 * B, 37 * B, 128 * K, "2412.19437", chips=(H800,)
    ),
    "mr_ds_r1": _release("deepseek-r1", "DeepSeek-R1", "DeepSeek-R1", 671 * B, 37 * B, 128 * K, "2501.12948"),
    "mr_ds_v3_0324": _release(
        "deepseek-v3-0324",
        "DeepSeek-V3-0324",
        "DeepSeek-V3",
        671 * B,
        37 * B,
        128 * K,
        hf="deepseek-ai/DeepSeek-V3-0324",
    ),
    "mr_ds_r1_0528": _release("deepseek-r1-0528", "DeepSeek-R1-0528", "DeepSeek-R1", 671 * B, 37 * B, 128 * K),
    "mr_ds_v31": _release("deepseek-v3-1", "DeepSeek-V3.1", "DeepSeek-V3", 671 * B, 37 * B, 128 * K),
    "mr_ds_v32exp": _release("deepseek-v3-2-exp", "DeepSeek-V3.2-Exp", "DeepSeek-V3", 671 * B, 37 * B, 128 * K),
    "mr_ds_v32": _release("deepseek-v3-2", "DeepSeek-V3.2", "DeepSeek-V3", 671 * B, 37 * B, 128 * K),
    "mr_ds_v4": _release(
        "deepseek-v4",
        "DeepSeek-V4 (preview)",
        "DeepSeek-V4",
        1_600 * B,
        49 * B,
        1 * M,
        hf="deepseek-ai/DeepSeek-V4-Pro",
    ),
    "mr_qwen25": _release("qwen2-5", "Qwen2.5", "Qwen2.5", 72 * B, None, 128 * K),
    "mr_qwen25max": _release("qwen2-5-max", "Qwen2.5-Max", "Qwen2.5"),
    "mr_qwq32b": _release("qwq-32b", "QwQ-32B", "QwQ", 32_500_000_000, None, 131_072),
    "mr_qwen3": _release("qwen3", "Qwen3", "Qwen3", 235 * B, 22 * B, 128 * K),
    "mr_kimi_k15": _release("kimi-k1-5", "Kimi k1.5", "Kimi k1.5", None, None, 128 * K, "2501.12599"),
    "mr_kimi_k2": _release("kimi-k2", "Kimi K2", "Kimi K2", 1 * T, 32 * B, 128 * K, "2507.20534"),
    "mr_glm45": _release("glm-4-5", "GLM-4.5", "GLM-4.5", 355 * B, 32 * B, 128 * K, "2508.06471"),
    "mr_minimax_m1": _release(
        "minimax-m1", "MiniMax-M1", "MiniMax-M1", 456 * B, 45_900_000_000, 1 * M, "2506.13585", chips=(H800,)
    ),
    "mr_ernie45_open": _release(
        "ernie-4-5-open", "ERNIE 4.5 (open-source release)", "ERNIE 4.5", 424 * B, 47 * B, 128 * K
    ),
    "mr_llama2": _release("llama-2", "Llama 2", "Llama 2", 70 * B, None, 4 * K, chips=(A100,)),
    "mr_llama3": _release("llama-3", "Meta Llama 3", "Llama 3", 70 * B, None, 8 * K, chips=(H100,)),
    "mr_llama31": _release("llama-3-1", "Llama 3.1", "Llama 3", 405 * B, None, 128 * K, chips=(H100,)),
    "mr_llama4": _release("llama-4", "Llama 4", "Llama 4", 400 * B, 17 * B, 1 * M, chips=(H100,)),
    "mr_mistral7b": _release("mistral-7b", "Mistral 7B", "Mistral 7B", 7_300_000_000, None, 8 * K),
    "mr_mixtral8x7b": _release("mixtral-8x7b", "Mixtral 8x7B", "Mixtral", 46_700_000_000, 12_900_000_000, 32 * K),
    "mr_mistral_large2": _release("mistral-large-2", "Mistral Large 2", "Mistral Large", 123 * B, None, 128 * K),
    "mr_gpt4": _release("gpt-4", "GPT-4", "GPT-4", None, None, 32 * K),
    "mr_gpt4o": _release("gpt-4o", "GPT-4o", "GPT-4o", None, None, 128 * K),
    "mr_o1": _release("openai-o1", "OpenAI o1", "o1", None, None, 200 * K, "2412.16720"),
    "mr_o3": _release("openai-o3", "OpenAI o3", "o3", None, None, 200 * K),
    "mr_gptoss": _release("gpt-oss", "gpt-oss", "gpt-oss", 117 * B, 5_100_000_000, 128 * K, "2508.10925"),
    "mr_gpt5": _release("gpt-5", "GPT-5", "GPT-5", None, None, 400 * K),
    "mr_claude3": _release("claude-3", "Claude 3", "Claude 3", None, None, 200 * K),
    "mr_claude35": _release("claude-3-5-sonnet", "Claude 3.5 Sonnet", "Claude 3.5", None, None, 200 * K),
    "mr_claude4": _release("claude-4", "Claude 4", "Claude 4", None, None, 200 * K),
    "mr_claude_mythos": _release("claude-mythos-preview", "Claude Mythos Preview", "Claude Mythos"),
    "mr_gemini15": _release("gemini-1-5-pro", "Gemini 1.5 Pro", "Gemini 1.5", None, None, 1 * M),
    "mr_gemini20": _release("gemini-2-0-flash", "Gemini 2.0 Flash", "Gemini 2.0", None, None, 1 * M),
    "mr_gemini25": _release("gemini-2-5-pro", "Gemini 2.5 Pro", "Gemini 2.5", None, None, 1 * M),
}

# Where the architecture text does not say MoE or dense although the sheet says so elsewhere.
ARCHITECTURE_OVERRIDES = {
    "mr_ds_v32exp": "moe",  # "Built on V3.1-Terminus", which the sheet describes as MoE + MLA (mr_ds_v31)
}

WEIGHTS = {"open_weights": "open_weights", "api_only": "api_only", "restricted_access": "restricted"}

# Access grants -------------------------------------------------------------------------------------------------

# Sheet id -> the model release the grant concerns; None where the sheet names no single release.
GRANT_MODELS: dict[str, str | None] = {
    "ag_dsv4_huawei_early": "mr_ds_v4",
    "ag_dsv4_cn_chipmakers_early": "mr_ds_v4",
    "ag_dsv4_nvidia_excluded": "mr_ds_v4",
    "ag_dsv4_amd_excluded": "mr_ds_v4",
    "ag_dsv4_huawei_day0": "mr_ds_v4",
    "ag_dsv4_nvidia_day0": "mr_ds_v4",
    "ag_dsv3_amd_day1": "mr_ds_v3",
    "ag_dsv3_huawei_mindie": "mr_ds_v3",
    "ag_dsr1_nvidia_nim": "mr_ds_r1",
    "ag_dsr1_huawei_modelarts": None,  # "DeepSeek-R1 (distilled versions) / V3": two releases
    "ag_ds_v32exp_ascend": "mr_ds_v32exp",
    "ag_ds_v32exp_cambricon": "mr_ds_v32exp",
    "ag_usaisi_openai_mou": None,
    "ag_usaisi_anthropic_mou": None,
    "ag_aisi_claude35_upgraded": "mr_claude35",
    "ag_aisi_o1": "mr_o1",
    "ag_ukaisi_claude35_june": "mr_claude35",
    "ag_caisi_gdm_2026": None,
    "ag_caisi_microsoft_2026": None,
    "ag_caisi_xai_2026": None,
    "ag_ms_gpt3_exclusive": None,  # GPT-3 has no release record
    "ag_ms_openai_2025": None,
    "ag_mythos_glasswing": "mr_claude_mythos",
    "ag_anthropic_cn_owned_ban": None,
    "ag_openai_cn_api_block": None,
    "ag_anthropic_distillation_claim": None,
}

ACCESS_TYPES = {
    "early_access": (AccessTypeChoices.EARLY_ACCESS, "granted"),
    "excluded_denied": (AccessTypeChoices.EARLY_ACCESS, "withheld"),
    "day0_hardware_support": (AccessTypeChoices.HARDWARE_OPTIMIZATION, "granted"),
    "hosted_api_redistribution": (AccessTypeChoices.API, "granted"),
    "evaluation_pre_deployment": (AccessTypeChoices.PRE_DEPLOYMENT_EVALUATION, "granted"),
    "exclusive_license": (AccessTypeChoices.LICENSE, "granted"),
    "ip_rights_license": (AccessTypeChoices.LICENSE, "granted"),
    "restricted_preview": (AccessTypeChoices.EARLY_ACCESS, "granted"),
    # Distillation through fraudulent accounts and proxy services: use of the API without consent.
    "unauthorized_access_alleged": (AccessTypeChoices.API, "unauthorized"),
}
# Exclusions from services (not from a pre-release) withhold API access, not early access.
ACCESS_TYPE_OVERRIDES = {
    "ag_anthropic_cn_owned_ban": AccessTypeChoices.API,
    "ag_openai_cn_api_block": AccessTypeChoices.API,
}

CLAIM_STATUSES = {
    "reported_only": "reported",
    "confirmed_by_grantor": "confirmed",
    "confirmed_by_grantee": "confirmed",
    "confirmed_by_both": "confirmed",
    "announced_by_grantor": "confirmed",
    "announced_by_grantee": "confirmed",
    "claimed_by_grantor_only": "alleged",
}

# Export controls -----------------------------------------------------------------------------------------------

INSTRUMENTS = {
    "rule": "rule",
    "entity_listing": "entity_listing",
    "licence_requirement": "license_requirement",
    "licence_policy": "license_policy",
    "export_ban": "export_ban",
    "import_restriction": "import_restriction",
    "suspension": "suspension",
    "guidance": "guidance",
    "regulatory_action": "enforcement_action",
}

REFERENCE_KEYS = ("fr_citation", "announcement_number", "other")
REFERENCE_DETAIL_LABELS = {
    "fr_doc_number": "FR doc number",
    "docket": "docket",
    "rin": "RIN",
    "cfr": "CFR",
    "regulations_gov": "regulations.gov",
    "correction": "correction",
    "control_codes": "control codes",
}

# Target wording -> ISO 3166-1 codes. Targets that are neither an organization id nor listed here (country
# groups, "All destinations", ...) live only in targets_description, which keeps every target's wording.
TARGET_COUNTRIES: dict[str, tuple[str, ...]] = {
    "China": ("CN",),
    "China (PRC)": ("CN",),
    "China (incl. Hong Kong)": ("CN", "HK"),
    "China incl. Hong Kong & Macau": ("CN", "HK", "MO"),
    "Macau": ("MO",),
    "Macau (added Jan 2023)": ("MO",),
    "Russia": ("RU",),
    "United States": ("US",),
    "Japan/Singapore/South Korea entries (few)": ("JP", "SG", "KR"),
    "14 China + 2 Singapore entities": ("CN", "SG"),
}

# Chip slug -> how the sheets' texts name it (matched in a measure's title, covers, thresholds, notes and
# date notes, not in its status, which mentions unverified reports).
CHIP_NAMES: dict[str, str] = {
    "nvidia-a100-sxm": r"\bA100\b",
    "nvidia-a800-sxm": r"\bA800\b",
    "nvidia-h100-sxm": r"\bH100\b",
    "nvidia-h800-sxm": r"\bH800\b",
    "nvidia-h20": r"\bH20\b",
    "nvidia-h200-sxm": r"\bH200\b",
    "nvidia-b200": r"\bB200\b",
    "nvidia-gb200": r"\bGB200\b",
    "nvidia-l40s": r"\bL40S\b",
    "nvidia-rtx-pro-6000d": r"\b(?i:RTX Pro 6000D)\b",
    "nvidia-b30a": r"\bB30A\b",
    "amd-mi250x": r"\bMI250X\b",
    "amd-mi300x": r"\bMI300X\b",
    "amd-mi308x": r"\bMI308X?\b",
    "amd-mi325x": r"\bMI325X\b",
    "huawei-ascend-910b": r"\b910B\b",
    "huawei-ascend-910c": r"\b910C\b",
    "huawei-ascend-950pr": r"\b950PR\b",
    "huawei-ascend-950dt": r"\b950DT\b",
    "google-tpu-v5p": r"\bTPU v5p\b",
    "google-tpu-v6e": r"\bTPU v6e\b|\bTrillium\b",
}

# (sheet id, chip slug) pairs where a measure's text names a chip as context, not as something it covers.
CHIP_MENTIONS_NOT_COVERED = frozenset(
    {
        # "Sophgo linked to a TSMC-made die found in Huawei Ascend 910B": why Sophgo was listed.
        ("ec_us_el_sophgo_2025", "huawei-ascend-910b"),
    }
)

# Sheet id -> what the record's status and notes say about other measures, and end dates the model needs.
# "amends" where a later measure changes one in part; "supersedes" where the sheet says superseded.
EXPORT_CONTROL_LINKS: dict[str, dict] = {
    "ec_us_oct2022": {"supersedes": ("ec_us_nvda_isinformed_2022",)},
    "ec_us_oct2023_acs": {"amends": ("ec_us_oct2022",)},
    "ec_us_oct2023_sme": {"amends": ("ec_us_oct2022",)},
    "ec_us_dec2024_fdp": {"amends": ("ec_us_oct2023_acs",)},
    "ec_us_ai_diffusion": {"amends": ("ec_us_oct2023_acs",)},
    "ec_us_foundry_dd": {"amends": ("ec_us_dec2024_fdp", "ec_us_oct2023_acs")},
    "ec_us_h20_15pct_2025": {"amends": ("ec_us_h20_licence_2025",)},
    "ec_us_h200_2026": {"supersedes": ("ec_us_h20_15pct_2025",)},
    "ec_nl_2024": {"amends": ("ec_nl_2023",)},
    "ec_cn_70_2025": {"suspends": ("ec_cn_57_2025", "ec_cn_61_2025", "ec_cn_62_2025")},
}

# Sheet id -> (ends_on to store, end reason, line for dates_note). "keep" keeps the sheet's end date.
EXPORT_CONTROL_ENDS: dict[str, tuple[str | None, str, str]] = {
    "ec_us_nvda_isinformed_2022": (
        "2022-10-07",
        EndReasonChoices.SUPERSEDED,
        "End date derived from the status: superseded by the 2022-10-07 rule (us-oct2022), effective "
        "2022-10-07. The announced date is the public disclosure (NVIDIA Form 8-K, 2022-08-31) of a BIS "
        "letter that applied from 2022-08-26.",
    ),
    "ec_us_ai_diffusion": ("keep", EndReasonChoices.RESCINDED, ""),
    # The sheet's end_date (2025-11-09) is the last day before the suspension; the registry stores the first
    # day a measure is no longer in force, and the sheet's own note says the suspension ran from 2025-11-10.
    "ec_us_affiliates_rule": (
        "2025-11-10",
        EndReasonChoices.SUSPENDED,
        "The fact sheet gives end_date 2025-11-09, the last day in force; stored as 2025-11-10, the first "
        "day of the suspension, as the end-date note states.",
    ),
    # Only clause (2) was suspended; the military-end-user ban in clause (1) stayed in force, so the measure
    # as a whole did not end.
    "ec_cn_46_2024": (
        None,
        "",
        "The fact sheet gives end_date 2025-11-09 for the suspension of clause (2) only; clause (1) stayed in "
        "force, so no end date is stored for the measure.",
    ),
    "ec_cn_61_2025": ("keep", EndReasonChoices.SUSPENDED, ""),
    "ec_cn_62_2025": ("keep", EndReasonChoices.SUSPENDED, ""),
    "ec_cn_57_2025": ("keep", EndReasonChoices.SUSPENDED, ""),
    "ec_cn_70_2025": ("keep", EndReasonChoices.EXPIRED, ""),
}
