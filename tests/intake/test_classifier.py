"""The classifier on messages written for these tests (never the corpus: other people's words).

Each label has several examples in different styles; each matching rule has a test that would
fail if the rule were broken; validity flags, triage and the JSON shape are pinned down.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from config.rules import KNOWN_LABELS, PHRASE_FLAGS, load_rules, rules_from_text
from intake import classifier
from intake.classifier import (
    Classification,
    Evidence,
    Flag,
    Incoming,
    Label,
    classify,
    clean_subject,
    is_reply_subject,
    own_words,
    split_reply,
    words_of,
)

ROOT = Path(__file__).absolute().parents[2]

EXAMPLES: list[tuple[Label, str, str]] = [
    # New requests for information (FOIA)
    (
        Label.FOI,
        "Housing repairs backlog",
        "Dear Information Governance Team,\n\nPlease could you send me the number of outstanding "
        "housing repair jobs at the end of each month in 2023, and the average time taken to "
        "complete an urgent repair.\n\nYours faithfully,\nPriya Natarajan",
    ),
    (
        Label.FOI,
        "Consultants",
        "Under FOI, how much did the trust pay to management consultancies in 2022/23? Please "
        "name each firm and the amount paid.\n\nThanks\nTom Reilly",
    ),
    (
        Label.FOI,
        "Taxi licensing enforcement",
        "I am writing to request the following under the Freedom of Information Act:\n1) the "
        "number of hackney carriage licences suspended in 2024\n2) the reasons recorded for each "
        "suspension\n\nRegards\nM. Okafor",
    ),
    (
        Label.FOI,
        "Library closures",
        "Dear Sirs,\n\nI'm requesting information on the planned closure of branch libraries. "
        "Specifically, any equality impact assessments carried out and the minutes of the "
        "cabinet meeting where the closures were approved.\n\nMany thanks,\nGraham Leach",
    ),
    (
        Label.FOI,
        "Cyber incidents",
        "Request under FOIA 2000:\n\na) How many ransomware attacks did the authority experience "
        "in 2022 and 2023?\nb) Did you pay any ransom?\nc) What is your annual IT security "
        "budget?\n\nThanks\nK. Mensah",
    ),
    (
        Label.FOI,
        "",
        "Dear Sir or Madam, I would be grateful if you could tell me how much the council spent "
        "on agency social workers in each of the last three years. Yours sincerely, Karen Hughes",
    ),
    # New requests about the environment (EIR), named or not
    (
        Label.EIR,
        "Air monitoring near the bypass",
        "Please provide the nitrogen dioxide diffusion tube results for all sites within 500m of "
        "the A6 bypass for 2021 to 2024.\nRegards, Owen Jones",
    ),
    (
        Label.EIR,
        "Bin collections",
        "Under the Freedom of Information Act, please tell me the tonnage of household waste "
        "sent to landfill and the recycling rate for each year since 2019. Thanks, Chris Doyle",
    ),
    (
        Label.EIR,
        "EIR request: pesticide use",
        "This is a request under the Environmental Information Regulations. Please list all "
        "herbicides used by your grounds maintenance contractor in 2024, with quantities.\n"
        "Ruth Abbot",
    ),
    (
        Label.EIR,
        "Solar farm application",
        "Please send me all correspondence between the planning department and the applicant "
        "about the proposed solar farm at Hill Farm, including the pre-application advice.\n"
        "Thanks, Ian Crowther",
    ),
    (
        Label.EIR,
        "Sewage discharges",
        "Please provide event duration monitoring data for the storm overflows discharging into "
        "the River Wey for 2022 and 2023.\nHannah Orr",
    ),
    # Subject access
    (
        Label.SAR,
        "Subject access request",
        "Dear Data Protection Officer,\n\nI am making a subject access request under the UK "
        "GDPR. Please send me a copy of all the personal data you hold about me, including "
        "emails and case notes.\n\nName: Gail Summers\nDate of birth: 04/03/1981",
    ),
    (
        Label.SAR,
        "My records",
        "Please could you send me copies of my social care records from when I was in care "
        "between 1998 and 2004.\nMartin Kay",
    ),
    (
        Label.SAR,
        "CCTV request",
        "I was assaulted outside the bus station on 12 May at about 10pm. I would like a copy "
        "of the CCTV footage of me and the incident for my solicitor.\nRob Evans",
    ),
    (
        Label.SAR,
        "Personal data",
        "Hi, under data protection law I'm entitled to see the information you keep about me. "
        "Please could you send it to me.\nLeon Ward",
    ),
    # Internal reviews
    (
        Label.INTERNAL_REVIEW,
        "Internal review - FOI 2024/118",
        "I am not satisfied with your response to my request 2024/118. You have applied section "
        "43 to the whole contract but much of it cannot be commercially sensitive. Please carry "
        "out an internal review.\nJo Marsh",
    ),
    (
        Label.INTERNAL_REVIEW,
        "",
        "Dear FOI Team, I would like you to review your decision to refuse my request on cost "
        "grounds. The estimate you gave is not credible because the information is held in one "
        "database.\nRegards\nP. Grant",
    ),
    (
        Label.INTERNAL_REVIEW,
        "Re: FOI 5512 response",
        "I disagree with the decision to withhold the names of the consultants under section 40. "
        "They were paid from public funds. I would like this decision reviewed.\nJ. Wright",
    ),
    # Complaints about a service or how the sender was treated
    (
        Label.COMPLAINT,
        "Complaint about staff member",
        "I wish to complain about the way I was spoken to at the customer service desk on "
        "Monday. The officer was rude and refused to help me.\nLinda Grey",
    ),
    (
        Label.COMPLAINT,
        "Missed bins again",
        "This is the fourth week running that our bins have not been emptied. It is absolutely "
        "disgraceful and nobody answers the phone. I want this sorted today.\nMark Bell",
    ),
    (
        Label.COMPLAINT,
        "Poor service",
        "Your contact centre kept me on hold for 50 minutes and then cut me off. This is not "
        "acceptable and I expect an apology.\nGeorge Hall",
    ),
    # About a request already made
    (
        Label.CLARIFICATION,
        "Re: FOI 3321",
        "I still have not had a reply to my request submitted on 3 March. It is now well past "
        "the 20 working day deadline. Please let me know when I can expect a response.\nH. Ward",
    ),
    (
        Label.CLARIFICATION,
        "Re: Fee notice",
        "I have now paid the £25 fee by bank transfer using the reference you gave. Please go "
        "ahead with my request.\nBarry Cole",
    ),
    (
        Label.CLARIFICATION,
        "Narrowing my request",
        "Following your letter saying my request would exceed the cost limit, I am happy to "
        "narrow it to just the emails sent by the chief executive in January 2024.\n"
        "Regards, Paul Dunn",
    ),
    (
        Label.CLARIFICATION,
        "Re: Freedom of Information request - Council fleet",
        "Thank you for your response, much appreciated.\nJames",
    ),
    # Other: enquiries, service requests, marketing, automatic replies
    (
        Label.OTHER,
        "Opening times",
        "Hello, what time does the recycling centre on Moor Lane open on Sundays? Thanks",
    ),
    (
        Label.OTHER,
        "Partnership opportunity",
        "Hi there, we help councils cut their printing costs by 40%. Would you be open to a "
        "quick call next week to see a demo? Best, Tara from PrintSmart",
    ),
    (
        Label.OTHER,
        "Proposed development at Park Road",
        "I strongly object to the proposed block of flats at Park Road. The road cannot take the "
        "extra traffic and the building is far too tall for the area.\nRita Shah",
    ),
    (
        Label.OTHER,
        "Council tax",
        "I've moved house and need to close my council tax account at 7 Hill Rise from 1 May. My "
        "new address is 22 Wood Lane. Thanks, Sean Doyle",
    ),
]


# More styles: informal, disclosure-log lists, on someone's behalf, procedural questions.
EXAMPLES += [
    (
        Label.FOI,
        "Use of facial recognition",
        "Dear Northshire Police,\n\nDoes the force use live facial recognition technology? If "
        "so, please provide the dates and locations of each deployment in 2024 and the number of "
        "arrests that resulted.\n\nYours faithfully,\nT. Whitfield",
    ),
    (
        Label.EIR,
        "Fly-tipping incidents",
        "How many incidents of fly-tipping were reported in the borough in each of the last "
        "three years, and how many fixed penalty notices were issued?",
    ),
    (
        Label.SAR,
        "Data Request as per GDPR",
        "Dear Sir or Madam,\n\nPlease confirm whether or not you are processing personal data "
        "concerning me. If so, I request access to that data and a copy of it, in accordance "
        "with Article 15 GDPR, together with information on the purposes of processing and the "
        "recipients.\n\nKind regards\nMarta Nowak",
    ),
    (
        Label.INTERNAL_REVIEW,
        "Review request",
        "I asked for the minutes of the March board meeting and you have refused under section "
        "36. I do not think the qualified person's opinion was reasonable and I ask that you "
        "reconsider.",
    ),
    (
        Label.CLARIFICATION,
        "Re: Freedom of Information request - Stop and search",
        "Dear Northshire Police,\n\nI am writing to chase my request, which was due on 14 May. "
        "Please can you let me know when I will receive a reply?\n\nYours faithfully,\nNia "
        "Roberts",
    ),
    (
        Label.FOI,
        "waiting times",
        "hi i want to no how long people wait for a hip operation at the hospital, the average "
        "for last year pls. thanks mo",
    ),
    (
        Label.OTHER,
        "Press enquiry",
        "Hi, I'm a reporter at the Evening News. We're running a story about the closure of the "
        "swimming pool tomorrow. Could someone give us a comment on behalf of the council by 4pm?",
    ),
    (
        Label.OTHER,
        "How do I make an FOI request?",
        "Hello, can you tell me how to make a Freedom of Information request to the council? Is "
        "there a form I need to fill in?",
    ),
    (
        Label.CLARIFICATION,
        "Re: Your request exceeds the cost limit",
        "In that case please just provide the figures for 2023 rather than the last ten years.\n"
        "R. Moss",
    ),
    (
        Label.OTHER,
        "Comments on the proposed wind farm",
        "I am writing to support the proposed wind farm at High Moor. We need more renewable "
        "energy and the turbines will not spoil the view.\nAnn Hill",
    ),
    (
        Label.EIR,
        "Sandbags",
        "How many sandbags did the council issue to residents during the January floods, and "
        "which streets flooded?",
    ),
    (
        Label.EIR,
        "Street lighting energy",
        "Please provide the annual electricity consumption of the council's street lighting for "
        "each year since 2019 and the number of lamps converted to LED.",
    ),
    (
        Label.SAR,
        "Bodycam footage",
        "I was stopped by two of your officers on 12 January on the High Street. I would like a "
        "copy of the body worn camera footage of the stop, which shows me.",
    ),
    (
        Label.SAR,
        "My son's file",
        "I am writing on behalf of my son, who has given his consent, to request a copy of his "
        "social care file.",
    ),
    (
        Label.COMPLAINT,
        "Road closure chaos",
        "Why was there no warning about the closure of Bridge Street? Businesses have lost trade "
        "and nobody has bothered to apologise. This is a shambles.",
    ),
    (
        Label.OTHER,
        "Noise from neighbour",
        "My neighbour plays loud music every night until 2am. Can someone from environmental "
        "health come and assess it please?",
    ),
]


@pytest.mark.parametrize(("label", "subject", "text"), EXAMPLES)
def test_examples(label: Label, subject: str, text: str) -> None:
    decision = classify(Incoming(subject, text))
    assert decision.label is label, [str(e) for e in decision.evidence]


def test_every_label_has_examples() -> None:
    assert {label for label, _, _ in EXAMPLES} == set(Label)


def test_label_and_flag_names_match_the_rules_file_checks() -> None:
    assert {label.value for label in Label} == set(KNOWN_LABELS)
    assert set(PHRASE_FLAGS) <= {flag.value for flag in Flag}


# ---------------------------------------------------------------------------------------------
# Evidence: what matched and how strongly


def _evidence(decision: Classification, phrase: str) -> Evidence:
    found = [e for e in decision.evidence if e.phrase == phrase]
    assert found, [str(e) for e in decision.evidence]
    return found[0]


def test_evidence_quotes_the_senders_words_with_a_score() -> None:
    decision = classify(
        Incoming("", "Please send me all the informaton you hold about me.\nAda Lovelace")
    )
    assert decision.label is Label.SAR
    sar = _evidence(decision, "all the information you hold about me")
    assert sar.matched == "all the informaton you hold about me"
    assert 90 <= sar.score < 100  # the typo costs a little
    assert sar.label is Label.SAR and sar.weight > 0
    assert str(sar) == f"sar: 'all the informaton you hold about me' ({sar.score:.0f})"


def test_typos_word_order_and_inflections_match() -> None:
    typo = classify(Incoming("", "I would like to requst an internal reveiw of my request."))
    assert typo.label is Label.INTERNAL_REVIEW
    inflected = classify(Incoming("", "I complained twice and nothing happened."))
    assert _evidence(inflected, "complain").matched == "complained"
    reordered = classify(Incoming("", "A review of my request, internal and independent."))
    assert all(e.phrase != "request an internal review" for e in reordered.evidence)


def test_reordered_words_count_less_than_the_phrase_in_order() -> None:
    rules = rules_from_text('[[phrases]]\nlabel = "other"\nweight = 1.0\nphrases = ["red bus"]\n')
    in_order = _evidence(classify(Incoming("", "a red bus passed"), rules), "red bus")
    reordered = _evidence(classify(Incoming("", "a bus red with rust"), rules), "red bus")
    assert in_order.score == 100
    assert 80 <= reordered.score < in_order.score
    apart = classify(Incoming("", "the bus that passed was red"), rules)
    assert all(e.phrase != "red bus" for e in apart.evidence)


def test_inflections_of_one_stem_match_each_other() -> None:
    rules = rules_from_text(
        '[[phrases]]\nlabel = "other"\nweight = 1.0\nphrases = ["charging points"]\n'
        '[[phrases]]\nlabel = "other"\nweight = 1.0\nphrases = ["last years", "year end"]\n'
    )
    # The text word is shorter than the phrase word, or has another ending.
    charge = classify(Incoming("", "Where are the charge points?"), rules)
    assert _evidence(charge, "charging points").matched == "charge points"
    charged = classify(Incoming("", "Which charged points work?"), rules)
    assert _evidence(charged, "charging points").matched == "charged points"
    # A phrase word ("years") still stands for its own stem in another phrase ("year end").
    both = classify(Incoming("", "In the last years, at each years end."), rules)
    assert _evidence(both, "year end").matched == "years end"
    assert _evidence(both, "last years").score == 100


def test_exact_words_match_only_as_spelt() -> None:
    # "reports" (a request for documents) is an exact word: "reported" is not it.
    decision = classify(Incoming("", "I reported it."))
    assert all(e.phrase != "reports" for e in decision.evidence)
    stems = rules_from_text('[text]\nexact_words = ["parking"]\n')
    parks = classify(Incoming("", "Parking charges in the town"), stems)
    assert all(e.phrase != "parks" for e in parks.evidence)


def test_contractions_are_spelt_out() -> None:
    assert words_of("I'm sure we haven't") == ["i", "am", "sure", "we", "have", "not"]
    decision = classify(Incoming("", "I haven't received a response to my request yet."))
    assert _evidence(decision, "have not received a response").matched == (
        "haven't received a response"
    )


def test_a_phrase_never_spans_two_sentences() -> None:
    decision = classify(Incoming("", "We discussed the request. I think it went well."))
    assert all(e.phrase != "i request" for e in decision.evidence)


def test_short_words_must_be_spelt_exactly() -> None:
    # "sar" is a phrase; "bar" and "car" are not typos of it.
    decision = classify(Incoming("", "The car park by the bar is closed."))
    assert all(e.label is not Label.SAR for e in decision.evidence)


def test_conditional_phrases_count_less() -> None:
    text = (
        "Please provide the number of library visits in 2023. If this exceeds the cost limit, "
        "please tell me how I can refine my request.\nAnna Bell"
    )
    decision = classify(Incoming("Library visits", text))
    assert decision.label is Label.FOI
    hedged = _evidence(decision, "refine my request")
    assert hedged.weight == pytest.approx(6.0 * 0.3)


def test_politeness_is_not_a_condition() -> None:
    polite = classify(Incoming("", "I would be grateful if all correspondence could be sent."))
    assert _evidence(polite, "all correspondence").weight == 2.5
    condition = classify(Incoming("", "If all correspondence is public, I will look online."))
    assert _evidence(condition, "all correspondence").weight == pytest.approx(2.5 * 0.3)


def test_if_so_follows_a_question_rather_than_hedging() -> None:
    text = "Do you use drones? If so, please provide the number of flights in 2024.\nAl Roe"
    decision = classify(Incoming("Drones", text))
    assert decision.label is Label.FOI
    assert _evidence(decision, "please provide").weight == 2.5


def test_overlapping_matches_keep_the_stronger() -> None:
    decision = classify(Incoming("", "Please could you provide the minutes of the meeting?"))
    foi = [e for e in decision.evidence if e.label is Label.FOI and "provide" in e.matched]
    assert [(e.phrase, e.score) for e in foi] == [("could you provide", 100.0)]


def test_a_reply_subject_names_no_new_request() -> None:
    subject = "Re: Freedom of Information request - Bus lanes"
    decision = classify(Incoming(subject, "Any news on this please?\nAl Roe"))
    assert decision.label is Label.CLARIFICATION
    assert all(e.label is not Label.FOI for e in decision.evidence)
    assert _evidence(decision, "reply subject").matched == subject


def test_negated_phrases_count_less() -> None:
    decision = classify(Incoming("", "You have not sought clarification and I do not see why."))
    assert _evidence(decision, "clarification").weight == pytest.approx(4.0 * 0.3)


def test_my_foi_request_names_an_existing_request_not_a_new_one() -> None:
    text = "Please indicate the status of my Freedom of Information request FOI/88.\nBo Lee"
    decision = classify(Incoming("", text))
    assert decision.label is Label.CLARIFICATION
    assert not {"freedom of information request", "information request"} & {
        e.phrase for e in decision.evidence
    }
    new = classify(Incoming("", "This is a Freedom of Information request for the budget."))
    assert _evidence(new, "freedom of information request").label is Label.FOI


def test_a_request_already_made_is_not_a_new_one() -> None:
    text = "I made a request for information in March and you never replied.\nAl Roe"
    decision = classify(Incoming("", text))
    assert decision.label is Label.CLARIFICATION
    assert "request for information" not in {e.phrase for e in decision.evidence}
    new = classify(Incoming("", "This is a request for information about the budget."))
    assert _evidence(new, "request for information").label is Label.FOI


def test_statistics_about_a_topic_are_not_that_kind_of_message() -> None:
    # Asking how many complaints or reviews there were is an FOI request, not a complaint.
    text = (
        "Please provide:\n1. the number of complaints received in 2024\n2. the number of "
        "internal reviews requested in 2024\n3. the number of subject access requests\nDan Poe"
    )
    assert classify(Incoming("Statistics", text)).label is Label.FOI


@pytest.mark.parametrize(
    "text",
    [
        "How many subject access requests did the council receive in 2024?",
        "Please send me your policy on handling subject access requests.",
        "Please provide the number of formal complaints made about the planning service.",
        "Please send me the figures for internal reviews carried out last year.",
    ],
)
def test_a_kind_of_message_named_as_a_topic_is_a_new_request(text: str) -> None:
    decision = classify(Incoming("", f"{text}\nAl Roe"))
    assert decision.label is Label.FOI, [str(e) for e in decision.evidence]
    topics = [e for e in decision.evidence if e.label is not Label.FOI]
    assert topics and all(e.weight < 2 for e in topics)  # hedged


def test_a_request_for_the_senders_own_data_is_a_subject_access_request() -> None:
    # Request wording ("please send me", "a copy of") serves a subject access request too.
    mine = classify(Incoming("", "Please send me a copy of my data and my records.\nAl Roe"))
    assert mine.label is Label.SAR
    # One weak sign in passing ("for my records") doesn't make an FOI request a SAR.
    passing = classify(
        Incoming("", "For my records, please send me the library budget for 2024.\nAl Roe")
    )
    assert passing.label is Label.FOI
    # The threshold comes from the rules.
    strict = rules_from_text("[thresholds]\nsar_evidence = 100\n")
    plain = classify(Incoming("", "Please send me a copy of my data."), strict)
    assert plain.label is Label.FOI


def test_environmental_complaint_is_a_complaint_not_eir() -> None:
    text = (
        "I wish to complain about the noise and dust from the quarry, which has been "
        "unacceptable all week. Please send an officer.\nMia Ford"
    )
    assert classify(Incoming("Quarry noise", text)).label is Label.COMPLAINT


# ---------------------------------------------------------------------------------------------
# Quoted text, signatures, subjects


ACK = (
    "Thank you for your request for information under the Freedom of Information Act 2000.\n"
    "We will respond within 20 working days. Please provide any further information quoting "
    "reference IC-315773-L9G6."
)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines())


def test_a_reply_is_judged_on_its_own_words_not_our_quoted_letter() -> None:
    header = "On Mon, 3 Jun 2024 at 10:01, FOI Team <foi@example.gov.uk>\nwrote:"
    for text in (
        f"Thanks very much.\n\n{header}\n{_quote(ACK)}",  # written above the quote
        f"{header}\n{_quote(ACK)}\n\nThanks very much.",  # written below it
        f"Thanks very much.\n\n-----Original Message-----\nFrom: FOI Team\n\n{ACK}",
    ):
        decision = classify(Incoming("Re: Your request IC-315773-L9G6", text))
        assert decision.label is Label.CLARIFICATION
        assert all("Freedom of Information" not in e.matched for e in decision.evidence)
        assert own_words(text) == "Thanks very much."


def test_answers_written_between_quoted_lines_are_the_senders() -> None:
    text = (
        "On 3 June 2024, FOI Team wrote:\n> Which years do you need?\n2022 and 2023 only.\n"
        "> Which departments?\nJust planning.\n"
    )
    own, quoted = split_reply(text)
    assert own == "2022 and 2023 only.\nJust planning."
    assert quoted == "Which years do you need?\nWhich departments?"


def test_quote_markers_and_outlook_headers_are_dropped() -> None:
    own, quoted = split_reply(
        "Please close my request.\n> quoted line\n\n"
        "From: FOI Team <foi@example.gov.uk>\nSent: 3 June 2024 10:01\nSubject: x\n\nOld text"
    )
    assert own == "Please close my request."
    assert "quoted line" in quoted and "Old text" in quoted


def test_signatures_and_footers_are_dropped() -> None:
    text = "Please send me the budget.\n-- \nJo Bloggs\nSenior Partner, Complaints Ltd"
    assert own_words(text) == "Please send me the budget."
    assert "Sent from" not in own_words("Hi there\nSent from my phone\nmore")


def test_a_forwarded_request_is_kept() -> None:
    text = (
        "Passing this on.\n\n---------- Forwarded message ---------\nFrom: A Person "
        "<a@example.org>\nDate: 3 June 2024\nSubject: Data\n\nI am making a subject access "
        "request for all the personal data you hold about me."
    )
    assert "subject access request" in own_words(text)
    assert classify(Incoming("Fwd: Data", text)).label is Label.SAR


def test_long_texts_are_capped() -> None:
    rules = rules_from_text("[text]\nmax_chars = 300\n")
    text = "Thanks for your help. " + "x " * 500 + "I wish to make a formal complaint."
    assert len(own_words(text, rules)) == 300
    assert classify(Incoming("", text), rules).label is not Label.COMPLAINT
    assert classify(Incoming("", text)).label is Label.COMPLAINT


def test_subject_prefixes_and_reply_detection() -> None:
    assert clean_subject("RE: Fwd: [EXTERNAL] Re: Bus lanes") == "Bus lanes"
    assert is_reply_subject("[EXTERNAL] RE: Bus lanes")
    assert not is_reply_subject("Fwd: Bus lanes")


def test_the_subject_counts_but_less_than_the_body() -> None:
    decision = classify(Incoming("Internal review", "Please look at this again.\nRay Moss"))
    assert decision.label is Label.INTERNAL_REVIEW
    assert _evidence(decision, "internal review").weight == pytest.approx(3.0 * 0.8)


# ---------------------------------------------------------------------------------------------
# Flags


def test_no_real_name_is_flagged_for_advice_and_assistance() -> None:
    text = "Please tell me how many parking fines the council issued in 2023."
    anonymous = classify(Incoming("Parking fines", text))
    assert anonymous.label is Label.FOI
    assert Flag.NO_REAL_NAME in anonymous.flags
    named = classify(Incoming("Parking fines", text, "cb@example.org", "Carla Bruni"))
    assert Flag.NO_REAL_NAME not in named.flags


@pytest.mark.parametrize(
    ("signature", "real"),
    [
        ("Yours faithfully,\nJo Bloggs", True),
        ("Kind regards\nMrs S J Oliver", True),
        ("Regards, Dr Okafor", True),
        ("Thanks,\nA. Smith", True),
        ("Yours faithfully,\nConcerned Citizen", False),
        ("Regards\nFOIwatcher99", False),
        ("Thanks\nDave", False),
        ("Yours faithfully,\nMickey Mouse", False),
    ],
)
def test_real_names_from_the_sign_off(signature: str, real: bool) -> None:
    text = f"Please tell me how many parking fines the council issued in 2023.\n\n{signature}"
    decision = classify(Incoming("Parking fines", text))
    assert decision.label is Label.FOI
    assert (Flag.NO_REAL_NAME not in decision.flags) is real


def test_a_pseudonym_in_the_from_header_is_not_a_real_name() -> None:
    text = "Please tell me how many parking fines the council issued in 2023."
    decision = classify(Incoming("Parking fines", text, "x@example.org", "Anonymous Taxpayer"))
    assert Flag.NO_REAL_NAME in decision.flags


def test_eir_requests_need_no_name() -> None:
    text = "Please send me the air quality monitoring results for Mill Street for 2023."
    decision = classify(Incoming("Air quality", text))
    assert decision.label is Label.EIR
    assert Flag.NO_REAL_NAME not in decision.flags


def test_a_request_that_describes_nothing_is_flagged() -> None:
    vague = classify(
        Incoming("FOI request", "Please send me all the information you hold.\nJo Bloggs")
    )
    assert vague.label is Label.FOI
    assert Flag.NO_DESCRIPTION in vague.flags
    described = classify(
        Incoming("FOI request", "Please send me the gritting routes for 2023.\nJo Bloggs")
    )
    assert Flag.NO_DESCRIPTION not in described.flags


def test_flags_only_apply_to_new_requests() -> None:
    decision = classify(Incoming("", "I wish to make a formal complaint about the rude staff."))
    assert decision.label is Label.COMPLAINT
    assert Flag.NO_REAL_NAME not in decision.flags
    assert Flag.NO_DESCRIPTION not in decision.flags


def test_going_to_the_regulator_is_flagged() -> None:
    text = (
        "You have still not answered my request. If I do not hear by Friday I will complain "
        "to the Information Commissioner.\nPat Lowe"
    )
    decision = classify(Incoming("Re: FOI 12", text))
    assert Flag.ICO_MENTIONED in decision.flags


def test_an_automatic_reply_is_other_and_flagged() -> None:
    text = "I am out of the office until Monday with no access to email."
    decision = classify(Incoming("Automatic reply: FOI", text))
    assert decision.label is Label.OTHER
    assert Flag.AUTOMATED_REPLY in decision.flags


def test_nothing_recognisable_is_other_and_needs_triage() -> None:
    decision = classify(Incoming("", "Lorem ipsum dolor sit amet."))
    assert decision.label is Label.OTHER
    assert decision.evidence == ()
    assert Flag.NEEDS_TRIAGE in decision.flags


def test_triage_threshold_comes_from_the_rules() -> None:
    text = "I wish to make a formal complaint about the rude staff at the library.\nAl Roe"
    decision = classify(Incoming("", text))
    assert Flag.NEEDS_TRIAGE not in decision.flags
    strict = load_rules(triage_confidence=0.999)
    assert Flag.NEEDS_TRIAGE in classify(Incoming("", text), strict).flags
    assert decision.confidence == classify(Incoming("", text), strict).confidence


def test_confidence_is_lower_when_two_readings_compete() -> None:
    clear = classify(Incoming("", "I wish to make a formal complaint about the rude staff."))
    mixed = classify(
        Incoming("", "I wish to make a formal complaint. Please provide the complaints policy.")
    )
    assert 0 < mixed.confidence < clear.confidence <= 1


# ---------------------------------------------------------------------------------------------
# The JSON a Slack card or the CLI shows


def test_to_json() -> None:
    decision = classify(
        Incoming("Subject access request", "Please send me all my personal data.\nAl Roe")
    )
    data = decision.to_json()
    assert set(data) == {"label", "confidence", "evidence", "flags"}
    assert data["label"] == "sar"
    assert 0 <= data["confidence"] <= 1
    first = data["evidence"][0]
    assert set(first) == {"label", "phrase", "matched", "score", "weight"}
    assert first["label"] == "sar"
    assert isinstance(data["flags"], list)
    scores = [e.weight * (e.score - 50) / 50 for e in decision.evidence]
    assert scores == sorted(scores, reverse=True)  # strongest first


def test_every_process_gives_the_same_decision() -> None:
    # Python salts string hashes per process: nothing may depend on the order of a set.
    # Three words of the phrase are equally rare in the text: which one anchors the match must
    # not depend on the hash seed.
    script = (
        "import json; from config.rules import rules_from_text; "
        "from intake.classifier import Incoming, classify; "
        'r = rules_from_text(\'[[phrases]]\\nlabel = "sar"\\nweight = 3.5\\n'
        'phrases = ["my occupational health records"]\\n\'); '
        "t = 'A copy of my occupational health file and my disciplinary records.'; "
        "print(json.dumps(classify(Incoming('', t), r).to_json()))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        for seed in range(1, 9)
    }
    assert len(outputs) == 1, outputs


def test_classification_is_deterministic_and_rules_are_shared() -> None:
    message = Incoming("Bins", "How many bins were emptied in 2023?\nTom Ash")
    assert classify(message) == classify(message) == classify(message, load_rules())


# ---------------------------------------------------------------------------------------------
# Sentences and words are cut with string and byte operations, not per-character regular
# expressions (slow in Python): each shortcut must agree with the expression that defines it.

_PIECES = [
    "Please send",
    " the ",
    "figures",
    ".",
    ". ",
    "!",
    "?!",
    ";",
    ":",
    "\n",
    "\n\n",
    "\n \t\n",
    "\r\n",
    "\r",
    "\u2028",
    "\x0b",
    "\x00",
    "_",
    "'",
    "\u2019",
    "don't",
    "'tis",
    "dogs' ",
    "a''b",
    "I'm",
    "cant",
    "1. ",
    "\n2) ",
    "\n(a) ",
    "\n iv) ",
    "\n\u2022 ",
    "\n- ",
    "B.",
    "x.Y",
    "Caf\u00e9",
    "e\u0301",
    "\u0130",
    "\u03a3",
    "\u0391\u03a3.B",
    "stra\u00dfe",
    "\u00b2",
    "\u0663",
    "\u00a0",
    "\u2013",
    "\u2026",
    "On Monday, Jo wrote:",
    "\nOn 3 May, Al wrote:\n> hi",
    "\n-----Original Message-----",
    "\n__________",
    "\nFrom: a\nSent: b",
    "\nFROM: a\nDATE: b",
    "\n---------- Forwarded message ----------\n",
    "\nBegin forwarded message:",
]


def _tricky_texts() -> list[str]:
    """Texts made of pieces that reach the shortcuts' edge cases (the same ones every run)."""
    rng = random.Random(20240603)
    texts = ["", " ", *_PIECES]
    for _ in range(3000):
        texts.append("".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))))
    return texts


def test_words_are_cut_as_the_word_pattern_says() -> None:
    for text in _tricky_texts():
        plain = text.lower().replace("'", "").replace("\u2019", "")
        assert classifier._spaced(plain).split() == classifier._PLAIN_WORD.findall(plain), text


def test_sentences_end_where_the_sentence_pattern_says() -> None:
    for text in _tricky_texts():
        expected = [m.end() for m in classifier._SENTENCE_END.finditer(text)]
        assert classifier._sentence_ends(text) == expected, text


def test_quoted_words_are_found_as_the_word_pattern_finds_them() -> None:
    for text in _tricky_texts():
        starts, lengths = classifier._word_spans(text, 7)
        expected = [(m.start() + 7, len(m.group())) for m in classifier._WORD.finditer(text)]
        assert list(zip(starts, lengths, strict=True)) == expected, text


def test_header_lines_are_found_wherever_a_line_starts() -> None:
    for text in _tricky_texts():
        for pattern in (classifier._REPLY_HEADER, classifier._FORWARD):
            found = pattern.search(text)
            expected = None if found is None else found.span()
            assert classifier._line_start_search(pattern, text) == expected, text


def test_line_breaks_other_than_newline_still_end_lines() -> None:
    forwarded = (
        "Please send the figures.\rBegin forwarded message:\rFrom: Jo\rDate: Mon\r\r"
        "I request the 2023 budget."
    )
    assert split_reply(forwarded) == ("Please send the figures.\nI request the 2023 budget.", "")
    assert own_words("I want the budget.\u2028-- \u2028Jo Bloggs") == "I want the budget."


def test_evidence_quotes_words_with_apostrophes_at_their_edges() -> None:
    decision = classify(
        Incoming("", "'Tis my internal review request: the dogs' records, rock'n'roll.")
    )
    assert decision.label is Label.INTERNAL_REVIEW
    assert "my internal review request" in [e.matched for e in decision.evidence]
