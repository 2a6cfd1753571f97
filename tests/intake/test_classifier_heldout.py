"""Held-out messages: written for foibot by its reviewer, in the phrasing UK authorities get,
each with the label an information-rights officer would give it. Not the corpus (those are
other people's words), and not tuned message by message: the rules they led to are general
phrasing (see config/classifier.toml), never a rule keyed to one of these.

How they were used, so the numbers mean something:

- Set A (45 messages) was written first and run on the shipped rules (commit 3aeb6d1) before
  anything changed: 38/45 right (0.844) at first try.
- Each later set was written fresh after the previous round of changes, run first on the rules
  of that moment, and only then used to find gaps:
  - set B (26): 20/26 (0.769) on the shipped rules, 22/26 (0.846) on the rules after set A;
  - set C (26): 19/26 (0.731) on the shipped rules, 19/26 (0.731) after sets A and B;
  - set D (24): 17/24 (0.708) on the shipped rules, 17/24 (0.708) after sets A to C.
  Phrase additions alone hardly moved a fresh set: what did were general changes to matching
  (both-way inflections, topic words, request wording serving a subject access request).
- Set E (22) was written last and run once on the final rules (20/22, 0.909; the shipped rules
  got 18/22); it was not used to change them. Its misses are kept, marked xfail, as known
  gaps rather than tuned away (see KNOWN_MISSES).

Expect real mail the rules were not written for to land below the development corpus's 0.95:
about 0.8-0.9 on this evidence. Add general phrasing when staff correct a label.
"""

from __future__ import annotations

import pytest

from intake.classifier import Incoming, Label, classify

L = Label

SET_A: list[tuple[Label, str, str]] = [
    # foi
    (
        L.FOI,
        "Freedom of Information request - Council pool cars",
        "Dear Westshire County Council,\n\nPlease provide the number of pool cars the council "
        "owns, the annual cost of running them, and the mileage each one covered in 2024.\n\n"
        "Yours faithfully,\n\nDaniel Price",
    ),
    (
        L.FOI,
        "Agency spend",
        "Dear Sir/Madam\n\nCould you please let me know the total amount paid to recruitment "
        "agencies for temporary staff in the financial years 2022-23 and 2023-24.\n\nKind regards\n"
        "Sophie Turner",
    ),
    (
        L.FOI,
        "Freedom of Information request - School exclusions",
        "Dear Eastborough Council,\n\nI would like to ask for the following under the FOI Act.\n\n"
        "1. Permanent exclusions from secondary schools in the borough for each academic year "
        "since 2019.\n2. The reasons given for those exclusions.\n\nYours faithfully,\nAlan Brooks",
    ),
    (
        L.FOI,
        "Parking enforcement contract",
        "Hello,\n\nWho holds the contract for civil parking enforcement, when does it expire, and "
        "what is its annual value? I'd also like a copy of the contract itself.\n\nThanks,\n"
        "Natalie Ford",
    ),
    (
        L.FOI,
        "",
        "Under the Freedom of Information Act 2000 I request copies of the risk register for the "
        "library transformation programme and the latest highlight report sent to the board.\n\n"
        "Regards\nE. Castle",
    ),
    (
        L.FOI,
        "Gifts and hospitality register",
        "Dear FOI officer, please send me the register of gifts and hospitality for senior "
        "officers for the year 2024. Yours sincerely, Mohammed Iqbal",
    ),
    (
        L.FOI,
        "Police overtime",
        "Dear Southmoor Police,\n\nWhat was the total overtime bill for officers in each of the "
        "last five financial years? Please break the figures down by rank if possible.\n\n"
        "Yours faithfully,\nRachel Dunmore",
    ),
    # eir
    (
        L.EIR,
        "Freedom of Information request - Potholes and resurfacing",
        "Dear Westshire County Council,\n\nPlease provide the resurfacing programme for "
        "2025, and the tonnes of asphalt planings recycled in 2024.\n\nYours faithfully,\nKeith "
        "Amos",
    ),
    (
        L.EIR,
        "Tree felling on Elm Avenue",
        "Dear Council,\n\nPlease send me the tree survey and any arboricultural reports that led "
        "to the decision to fell the lime trees on Elm Avenue.\n\nYours faithfully,\nJane Marr",
    ),
    (
        L.EIR,
        "Noise monitoring at the airport",
        "Please provide the results of the aircraft noise monitoring carried out around the "
        "airport in 2023, including the location of each monitor.\nThanks, Paul Neville",
    ),
    (
        L.EIR,
        "Water quality at the lido",
        "Hi, can you send me the water testing results for the open-air lido for last summer, "
        "including E. coli counts? Thanks, Abi Green",
    ),
    (
        L.EIR,
        "Planning application 24/0113/FUL",
        "Dear Planning Team,\n\nPlease provide copies of all correspondence between the council "
        "and "
        "the developer about planning application 24/0113/FUL, including any viability "
        "assessment.\n\nYours faithfully\nGreg Hollis",
    ),
    (
        L.EIR,
        "Gully cleaning",
        "Dear Sir or Madam, please tell me how often the road drains on Mill Lane were cleaned in "
        "2023 and 2024 and whether any blockages were reported before the flooding in October. "
        "Regards, Fiona Walsh",
    ),
    # sar
    (
        L.SAR,
        "DSAR",
        "Hi,\n\nI'm submitting a DSAR. Please send me copies of all personal data you hold on me, "
        "including emails in which I am mentioned.\n\nThanks\nLiam Carter",
    ),
    (
        L.SAR,
        "Request for my records",
        "Dear Data Protection Officer,\n\nUnder Article 15 of the UK GDPR I am requesting a copy "
        "of my records held by the housing department, including notes of phone calls.\n\n"
        "Yours sincerely,\nJoanne Platt",
    ),
    (
        L.SAR,
        "",
        "I would like copies of all personal data relating to me that the council holds, "
        "including my tenancy file and any complaints about me. My date of birth is 2/2/1975.\n"
        "Barbara Quinn",
    ),
    (
        L.SAR,
        "Access to my HR records",
        "I used to work for the trust and I would like to obtain a copy of my personnel file and "
        "any emails that refer to me by name, under my right of access.\nSteven Holt",
    ),
    # internal review
    (
        L.INTERNAL_REVIEW,
        "Internal review of Freedom of Information request - School exclusions",
        "Dear Eastborough Council,\n\nI am writing to request an internal review of Eastborough "
        "Council's handling of my FOI request 'School exclusions'.\n\nYou have said the "
        "information is not held but the figures are published every year.\n\nYours faithfully,\n"
        "Alan Brooks",
    ),
    (
        L.INTERNAL_REVIEW,
        "Appeal",
        "I am appealing against your decision to withhold the report under section 36. The "
        "public interest clearly favours disclosure.\nRegards, K. Ellis",
    ),
    (
        L.INTERNAL_REVIEW,
        "Re: Your FOI response ref 4410",
        "Your response relies on section 12 but you have given no breakdown of the cost estimate. "
        "Please review this decision.\nAmy Shaw",
    ),
    (
        L.INTERNAL_REVIEW,
        "",
        "I am not content with the answer I received. You have redacted the whole of the "
        "appendix and I believe the exemption has been wrongly applied. Could a senior officer "
        "look at this again please.\nOliver Trent",
    ),
    # complaint
    (
        L.COMPLAINT,
        "Missed assisted collection",
        "My elderly mother is on the assisted collection list and her bin has been missed three "
        "weeks in a row. I have phoned twice and nothing has happened. This really isn't good "
        "enough.\nSarah Pike",
    ),
    (
        L.COMPLAINT,
        "Rude receptionist",
        "I want to make a formal complaint about the receptionist at the town hall who was "
        "extremely rude to me yesterday afternoon.\nDerek Miles",
    ),
    (
        L.COMPLAINT,
        "Complaint about housing officer",
        "I am very unhappy with how my housing officer has dealt with the damp in my flat. She "
        "has not returned any of my calls for a month.\nTina Moss",
    ),
    (
        L.COMPLAINT,
        "Pothole damage",
        "I am writing to complain that my car was damaged by a pothole on the B1234 which I "
        "reported to you in March. Nothing was done and now I have a repair bill of £400.\n"
        "Colin Barr",
    ),
    # clarification
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Police overtime",
        "Dear Southmoor Police,\n\nTo clarify, by 'officers' I mean police constables and "
        "sergeants only, not staff.\n\nYours faithfully,\nRachel Dunmore",
    ),
    (
        L.CLARIFICATION,
        "Re: FOI request",
        "Hello, I submitted a request on 2 February and I haven't heard anything back. Could you "
        "let me know when I can expect a response?\nThanks, Natalie Ford",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Agency spend",
        "Many thanks for the information, that's very helpful.\n\nSophie",
    ),
    (
        L.CLARIFICATION,
        "Late response",
        "Dear Westshire County Council,\n\nBy law you should have responded to my request "
        "promptly and by now. Please let me know when you will reply.\n\nYours faithfully,\n"
        "Daniel Price",
    ),
    (
        L.CLARIFICATION,
        "Re: Cost limit",
        "Happy to reduce the request to the last two years only if that helps.\nE. Castle",
    ),
    # other
    (
        L.OTHER,
        "Application for the post of Waste Officer",
        "Dear Hiring Manager,\n\nPlease find attached my CV and covering letter for the Waste "
        "Officer vacancy advertised on your website.\n\nKind regards,\nJoe Bright",
    ),
    (
        L.OTHER,
        "Media enquiry - leisure centre",
        "Hi, I'm a journalist with the Coast Gazette. Can the council give us a statement on the "
        "leisure centre closure for tomorrow's paper? Our deadline is 5pm.\nBen Lowe",
    ),
    (
        L.OTHER,
        "Streetlight out",
        "The street light outside 14 Cherry Road has been out for a week. Can you send someone to "
        "fix it please?\nMary Stone",
    ),
    (
        L.OTHER,
        "Cut your cloud costs by 30%",
        "Hi there,\n\nI noticed your council is still running on-premise servers. Our platform "
        "helps public sector teams save money. Can I book 15 minutes in your diary to show you "
        "how?\n\nBest,\nChris at CloudCo",
    ),
    (
        L.OTHER,
        "Bulky waste collection",
        "Hello, I'd like to arrange a collection for an old sofa and a fridge. How much does it "
        "cost and what day can you come?\nTom",
    ),
    (
        L.OTHER,
        "Thank you",
        "I just wanted to thank the team who cleared the snow on our road so quickly last week. "
        "Much appreciated.\nMrs Allen",
    ),
    # more, written before any rule change
    (
        L.SAR,
        "Subject Access Request",
        "Dear Sir or Madam,\n\nPlease treat this email as a subject access request. I would like "
        "all information held about me in relation to my parking permit appeal, including "
        "internal notes.\n\nYours faithfully,\nHelen Fry",
    ),
    (
        L.FOI,
        "Request for information - homelessness",
        "Can you tell me how many households were placed in bed and breakfast accommodation at "
        "the end of each quarter in 2024, and how many of those included children?\n"
        "Regards, Lucy Marsh",
    ),
    (
        L.EIR,
        "Energy use of council buildings",
        "Please provide the display energy certificates and annual gas and electricity use for "
        "each council-owned office building.\nYours faithfully,\nIan Bell",
    ),
    (
        L.EIR,
        "Emissions from the incinerator",
        "Dear Environment Team, I would like the monitoring reports on dioxin releases from the "
        "Northfield energy from waste plant for 2023. Many thanks, Carla Ruiz",
    ),
    (
        L.CLARIFICATION,
        "Withdrawing my request",
        "Please could you withdraw my FOI request about pool cars as I have found the "
        "information elsewhere.\nThanks, Daniel Price",
    ),
    (
        L.CLARIFICATION,
        "Re: Subject access request - identification",
        "As requested, please find attached a copy of my passport and a recent utility bill as "
        "proof of address.\nHelen Fry",
    ),
    (
        L.COMPLAINT,
        "State of the park",
        "The toilets in Victoria Park have been locked for a month and the play area is covered "
        "in broken glass. It's appalling that nothing has been done despite several reports.\n"
        "Pete Walsh",
    ),
    (
        L.OTHER,
        "Green bin",
        "Hi, when is my garden waste bin due to be collected? I have lost the calendar.\nThanks, "
        "Jo",
    ),
    (
        L.OTHER,
        "Invitation: Public Sector Digital Summit 2025",
        "We are delighted to invite you to the Public Sector Digital Summit in Manchester on 12 "
        "June. Places are free for local government staff. Register now to secure your place.",
    ),
]

SET_B: list[tuple[Label, str, str]] = [
    (
        L.FOI,
        "Freedom of Information request - Councillor allowances",
        "Dear Northvale District Council,\n\nPlease could you tell me the total allowances and "
        "expenses claimed by each councillor in 2023/24, and the policy that sets the rates.\n\n"
        "Yours faithfully,\n\nHarriet Cole",
    ),
    (
        L.FOI,
        "Use of AI",
        "Hello FOI team,\nDoes the council use any artificial intelligence or algorithmic tools to "
        "make decisions about benefits or housing? If so please name the supplier and the cost.\n"
        "Thanks\nOmar Sheikh",
    ),
    (
        L.FOI,
        "Sickness absence",
        "Dear Sir/Madam, I should be grateful for the average number of days lost to sickness per "
        "employee in each department for the last two years. Regards, Brian Lowe",
    ),
    (
        L.FOI,
        "FOI - interpreters",
        "What did the trust spend on interpreting and translation services in 2024, and which "
        "languages were most requested?\n\nMany thanks\nGrace Adeyemi",
    ),
    (
        L.FOI,
        "Request",
        "Please can I have a copy of the contract between the council and the leisure operator, "
        "including the schedule of fees.\nK Patel",
    ),
    (
        L.EIR,
        "Freedom of Information request - Roadside air quality",
        "Dear Southfield Borough Council,\n\nPlease provide the annual mean nitrogen dioxide "
        "readings from every monitoring site in the borough for 2022, 2023 and 2024.\n\n"
        "Yours faithfully,\nPeter Lamb",
    ),
    (
        L.EIR,
        "Grass verges and wildflowers",
        "I would like to know which roadside verges the council has stopped mowing to encourage "
        "wildflowers, and the cost savings from this.\nBest wishes, Anna Price",
    ),
    (
        L.EIR,
        "Fly tipping on Church Lane",
        "Can you tell me how many reports of fly-tipping on Church Lane you received in 2024 and "
        "how "
        "many prosecutions followed?\nRegards, Jim Hart",
    ),
    (
        L.EIR,
        "Wind turbine application",
        "Please send me the noise assessment and the ecology report submitted with the application "
        "for a wind turbine at Low Farm.\nHelen Day",
    ),
    (
        L.EIR,
        "Council vehicle fleet",
        "Please provide the number of council fleet vehicles that are fully electric, and the "
        "total "
        "carbon emissions of the fleet in the last financial year.\nSimon Reed",
    ),
    (
        L.SAR,
        "Subject access",
        "Please provide me with all the information your organisation holds about me, including "
        "emails, letters and notes of meetings. I have enclosed a copy of my driving licence.\n"
        "Rosa Diaz",
    ),
    (
        L.SAR,
        "My data",
        "Under data protection law I would like a copy of any recordings of my telephone calls "
        "to your contact centre in March 2025.\nGeorge Finch",
    ),
    (
        L.SAR,
        "Records request",
        "I was a pupil at Hillside School from 2005 to 2010. Please send me a copy of my school "
        "record and any safeguarding notes that mention me.\nKerry Lyons",
    ),
    (
        L.INTERNAL_REVIEW,
        "Internal review of Freedom of Information request - Use of AI",
        "Dear Northvale District Council,\n\nPlease pass this on to the person who conducts "
        "Freedom of Information reviews.\n\nI am writing to request an internal review of your "
        "handling of my request. You did not name the supplier, and no exemption was cited.\n\n"
        "Yours faithfully,\nOmar Sheikh",
    ),
    (
        L.INTERNAL_REVIEW,
        "Review",
        "I wish to challenge your refusal of my request under section 14. My request was not "
        "vexatious; it was a simple question about spending.\nIvy Stone",
    ),
    (
        L.INTERNAL_REVIEW,
        "Re: FOI response",
        "You have told me that the information is exempt under section 31 but you have not "
        "explained how disclosure would prejudice law enforcement. I would like this to be "
        "reconsidered.\nTom Ash",
    ),
    (
        L.COMPLAINT,
        "Blocked drain",
        "I reported a blocked drain outside my house six weeks ago and no one has come out. I "
        "keep being told it is in hand. Frankly this is a terrible way to treat residents.\n"
        "Dawn Price",
    ),
    (
        L.COMPLAINT,
        "Parking warden",
        "I'd like to complain about a parking attendant who gave me a ticket while I was unloading "
        "my disabled son's wheelchair. He was aggressive and would not listen.\nRuth King",
    ),
    (
        L.COMPLAINT,
        "Housing benefit delays",
        "It is now three months since I applied for housing benefit and I still have no decision. "
        "I am in arrears and nobody will tell me anything. I am extremely unhappy with the "
        "service.\nAmir Khan",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Sickness absence",
        "Thank you for getting back to me. By department I mean the directorates listed on your "
        "website, not individual teams.\nBrian Lowe",
    ),
    (
        L.CLARIFICATION,
        "Re: Your request IC-401122",
        "Could you give me an update on where my request has got to? It was sent over a month "
        "ago.\nGrace Adeyemi",
    ),
    (
        L.CLARIFICATION,
        "Re: Fee",
        "I enclose a cheque for the fee of £45 as set out in your fees notice.\nHarriet Cole",
    ),
    (
        L.OTHER,
        "Litter picking group",
        "Hello, our residents group would like to organise a litter pick in the park next month. "
        "Could the council lend us some grabbers and bags?\nThanks, Fran",
    ),
    (
        L.OTHER,
        "Speaker request",
        "Would your head of climate policy be willing to speak at our community energy event in "
        "September? We would be glad to cover travel costs.\nDr Alan Moore",
    ),
    (
        L.OTHER,
        "Software demo",
        "Hi, we provide case management software used by over 50 councils for FOI and complaints. "
        "Would you be interested in a free 30-day trial?\nKind regards, Jess, SalesTeam",
    ),
    (
        L.OTHER,
        "Missed payment",
        "I missed my council tax payment this month because my bank changed my card. Can I pay "
        "it over the phone?\nAlan",
    ),
]

SET_C: list[tuple[Label, str, str]] = [
    (
        L.FOI,
        "Freedom of Information request - Temporary accommodation costs",
        "Dear Lowfield City Council,\n\nI would like to request the following information:\n\n"
        "- the number of households in temporary accommodation on 31 March 2025\n"
        "- the total cost to the council of that accommodation in 2024/25\n\n"
        "Yours faithfully,\n\nMegan Hart",
    ),
    (
        L.FOI,
        "Bodycams",
        "How many body worn video cameras does the force own and how much did they cost? Please "
        "also send the policy on when officers must switch them on.\nRegards, D. Young",
    ),
    (
        L.FOI,
        "Staff salaries over £100k",
        "Please disclose the number of staff paid more than £100,000 a year, by salary band, for "
        "2023/24.\n\nMany thanks,\nLaura Quinn",
    ),
    (
        L.FOI,
        "",
        "Hi there - just wondering how many penalty charge notices were issued outside schools "
        "last term, and how many were cancelled on appeal? Cheers, Tom Ridley",
    ),
    (
        L.FOI,
        "Freedom of Information request - Cyber security",
        "Dear NHS Trust,\n\nDo you have a cyber security incident response plan? When was it last "
        "tested? Who is your managed security provider?\n\nYours faithfully,\nIsaac Nolan",
    ),
    (
        L.EIR,
        "Freedom of Information request - Sewage spills at Seaham",
        "Dear Coast District Council,\n\nPlease provide all the correspondence you have had with "
        "the water company about sewage spills onto the beach at Seaham since January 2024.\n\n"
        "Yours faithfully,\nRuth Berry",
    ),
    (
        L.EIR,
        "Hedgerow removal",
        "A hedgerow was removed on Green Lane last month. Please send me any notices or consents "
        "the council issued for this.\nThanks, Evan Lloyd",
    ),
    (
        L.EIR,
        "Street tree removals",
        "Please tell me how many street trees were removed in the city in 2024 and how many were "
        "replaced.\nKind regards, Maya Singh",
    ),
    (
        L.EIR,
        "EV charging",
        "Please provide the locations of all public electric vehicle charge points installed by "
        "the council and their usage in kWh last year.\nFaisal Ahmed",
    ),
    (
        L.EIR,
        "Contaminated land register",
        "Could you please send me the council's contaminated land register entries and any site "
        "investigation reports for the former gasworks on Station Road?\nLily Rowe",
    ),
    (
        L.SAR,
        "Subject Access Request",
        "I am writing to request all personal data that you hold about me under the Data "
        "Protection Act 2018. My previous address was 4 Kiln Close.\nYours faithfully,\nAndrew "
        "Pike",
    ),
    (
        L.SAR,
        "Please send my data",
        "Can you please send me everything you have on file about me, including letters and "
        "notes from social workers? I was in foster care from 1990 to 1996.\nClaire Boyd",
    ),
    (
        L.SAR,
        "Footage",
        "Your bus camera recorded me being pushed off the number 12 bus on 3 April at 5.30pm. I "
        "want a copy of the video showing me.\nNeil Grant",
    ),
    (
        L.INTERNAL_REVIEW,
        "Internal review of Freedom of Information request - Bodycams",
        "Dear Force,\n\nPlease pass this on to the person who conducts Freedom of Information "
        "reviews.\n\nI am writing to request an internal review of the force's handling of my FOI "
        "request 'Bodycams'. You have not sent the policy I asked for.\n\nYours faithfully,\nD. "
        "Young",
    ),
    (
        L.INTERNAL_REVIEW,
        "Request for review",
        "Thank you for your reply. However I do not accept that section 43 applies to the "
        "contract value; that information is routinely published by other councils. Please review "
        "your decision.\nLaura Quinn",
    ),
    (
        L.INTERNAL_REVIEW,
        "",
        "I am unhappy with the outcome of my freedom of information request. The information you "
        "say is not held must exist, because it was referred to in the committee papers. I "
        "would like an independent review.\nPhil Arnold",
    ),
    (
        L.COMPLAINT,
        "Complaint",
        "I am writing to make a complaint about the handling of my planning enforcement report. "
        "Nobody from the team has contacted me in four months.\nJ. Moss",
    ),
    (
        L.COMPLAINT,
        "Care home",
        "My father's care home has not been giving him his medication on time and when I raised "
        "it with the council nobody did anything. I am extremely concerned and very angry.\n"
        "Sandra Webb",
    ),
    (
        L.COMPLAINT,
        "Bin crew",
        "The bin crew left rubbish all over the pavement again this morning and drove off. I have "
        "reported this before. Please can someone deal with them.\nGary Lane",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Cyber security",
        "Thank you. To answer your question, I mean incidents reported to the ICO, not all "
        "incidents.\nIsaac Nolan",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Temporary accommodation costs",
        "Dear Lowfield City Council,\n\nYou are now more than a month late. Please respond to my "
        "request as soon as possible.\n\nYours faithfully,\nMegan Hart",
    ),
    (
        L.CLARIFICATION,
        "Re: Subject Access Request",
        "Here is the identification you asked for. Please let me know if you need anything else.\n"
        "Andrew Pike",
    ),
    (
        L.OTHER,
        "Volunteering",
        "Hi, I'm retired and would love to volunteer at the library. Who should I speak to?\n"
        "Pat Evans",
    ),
    (
        L.OTHER,
        "Road closure question",
        "Will the High Street be closed for the carnival on Saturday? I need to get to work.\n"
        "Thanks, Kim",
    ),
    (
        L.OTHER,
        "Supplier registration",
        "Dear Procurement, we would like to be added to your approved supplier list for grounds "
        "maintenance. Please send the registration forms.\nRegards, GreenCut Ltd",
    ),
    (
        L.OTHER,
        "Congratulations",
        "Please pass on my thanks to the staff at the registry office for a lovely ceremony "
        "yesterday.\nMr and Mrs Khan",
    ),
]

SET_D: list[tuple[Label, str, str]] = [
    (
        L.FOI,
        "Freedom of Information request - Council credit cards",
        "Dear Ashdown Borough Council,\n\nCould you supply a list of all transactions over £250 "
        "made on "
        "council purchasing cards between April 2024 and March 2025, with the merchant and "
        "amount?\n\nYours faithfully,\nNora Blake",
    ),
    (
        L.FOI,
        "School transport",
        "Good morning. I am researching home to school transport. What is the council's annual "
        "budget for SEND transport, and how many pupils used it in 2024?\nThank you, Ravi Shah",
    ),
    (
        L.FOI,
        "Freedom of Information request - Empty homes",
        "Dear Ashdown Borough Council,\n\nI'd be grateful for a copy of the council's empty homes "
        "list showing the address and how long each property has been empty.\n\nYours "
        "faithfully,\nPaul Sutton",
    ),
    (
        L.FOI,
        "Use of consultants",
        "Under FOISA please provide details of any contracts with McKinsey, Deloitte or PwC since "
        "2020, including their value.\nIain MacLeod",
    ),
    (
        L.EIR,
        "Freedom of Information request - Reservoir safety",
        "Dear Water Authority,\n\nPlease provide the most recent inspection report for Brookfield "
        "reservoir dam and any remedial works recommended.\n\nYours faithfully,\nOwen Hughes",
    ),
    (
        L.EIR,
        "Planning enforcement",
        "Please send me details of any enforcement complaints about the car wash on Mill Road "
        "and what action the planning team took.\nSue Dalton",
    ),
    (
        L.EIR,
        "Glyphosate spraying",
        "Does the council still spray glyphosate on pavements? If so, which streets and how many "
        "litres were used last year?\nLeah Morgan",
    ),
    (
        L.EIR,
        "Heat pumps in council homes",
        "How many council homes have had air source heat pumps fitted since 2021 and what was the "
        "average cost per home?\nMany thanks, Ben Fraser",
    ),
    (
        L.SAR,
        "SAR",
        "Hi, I would like to make a SAR for all records held about me by your children's services "
        "department. I have attached my ID.\nKirsty Bell",
    ),
    (
        L.SAR,
        "My tenancy",
        "I would like a copy of everything on my housing file, including any notes about my "
        "neighbour's complaints against me.\nDean Ross",
    ),
    (
        L.SAR,
        "Police records",
        "Please send me any information the police hold on me, including any intelligence "
        "reports, under the Data Protection Act.\nCarl Hunt",
    ),
    (
        L.INTERNAL_REVIEW,
        "Internal review of Freedom of Information request - Council credit cards",
        "Dear Ashdown Borough Council,\n\nPlease pass this on to the person who conducts Freedom "
        "of Information reviews.\n\nI am writing to request an internal review of Ashdown Borough "
        "Council's handling of my FOI request 'Council credit cards'. The merchant names have been "
        "redacted without any exemption being cited.\n\nYours faithfully,\nNora Blake",
    ),
    (
        L.INTERNAL_REVIEW,
        "Review request - FOI 2291",
        "I would like you to look again at my request. The cost estimate of 40 hours is not "
        "realistic for a single spreadsheet.\nAli Demir",
    ),
    (
        L.INTERNAL_REVIEW,
        "",
        "I challenge the council's reliance on regulation 12(4)(e). The documents are not "
        "internal communications because they were shared with the developer. Please carry out "
        "a review.\nTessa Lloyd",
    ),
    (
        L.COMPLAINT,
        "Formal complaint - adult social care",
        "I want to raise a formal complaint about the way my mother's care assessment was "
        "carried out. The social worker did not listen to us.\nMaria Costa",
    ),
    (
        L.COMPLAINT,
        "Parking permit",
        "I have now been waiting seven weeks for my resident parking permit and have been fined "
        "twice in that time. This is totally unacceptable.\nJack Wilde",
    ),
    (
        L.COMPLAINT,
        "",
        "Your contractors dug up the road outside my house and left it full of holes for a "
        "month. I am sick of chasing this and nobody takes responsibility.\nMrs P Grey",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Empty homes",
        "Thanks for your email. I'm happy to receive the list without the owners' names if "
        "that helps.\nPaul Sutton",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Council credit cards",
        "Dear Ashdown Borough Council,\n\nI am still waiting for a response to my request, which "
        "is now overdue. Please let me know when I will receive it.\n\nYours faithfully,\n"
        "Nora Blake",
    ),
    (
        L.CLARIFICATION,
        "Re: your letter of 3 June",
        "Yes, I can confirm the period I am interested in is 2022 to 2024.\nRavi Shah",
    ),
    (
        L.OTHER,
        "Wedding venue",
        "Hello, is the town hall available to hire for a wedding reception next August? What "
        "are your rates?\nThanks, Emma",
    ),
    (
        L.OTHER,
        "Councillor surgery",
        "When is my local councillor's next surgery? I would like to speak to her about the bus "
        "route changes.\nFrank Ellis",
    ),
    (
        L.OTHER,
        "Graduate scheme",
        "Dear HR, I am interested in applying for your graduate trainee scheme. Could you tell "
        "me when applications open?\nMany thanks, Zoe Park",
    ),
    (
        L.OTHER,
        "Pest control",
        "We have rats in our back garden. Can the council send pest control out please, and "
        "is there a charge?\nMr D Evans",
    ),
]


SET_E: list[tuple[Label, str, str]] = [
    (
        L.FOI,
        "Freedom of Information request - Social media monitoring",
        "Dear Greyshire Constabulary,\n\nDoes the force monitor the social media accounts of "
        "protest groups? Please provide any guidance issued to officers on this since 2022.\n\n"
        "Yours faithfully,\nMartin Oakes",
    ),
    (
        L.FOI,
        "Library book fund",
        "I'm keen to find out how the library book fund has changed. Can you give me the amount "
        "spent on new books each year from 2015 to 2024?\nCheers, Hannah",
    ),
    (
        L.FOI,
        "Freedom of Information request - Unpaid invoices",
        "Dear Greyshire Council,\n\nWhat is the value of invoices from small businesses that were "
        "paid more than 30 days late in 2024?\n\nYours faithfully,\nS. Rowe",
    ),
    (
        L.FOI,
        "Councillor training",
        "I am requesting under the FOI Act the attendance records for mandatory councillor "
        "training sessions held since the May 2024 elections.\nFrances Hill",
    ),
    (
        L.EIR,
        "Freedom of Information request - Landfill site monitoring",
        "Dear Greyshire Council,\n\nPlease provide the leachate and methane monitoring results for "
        "the closed landfill at Cold Ashby for the last three years.\n\nYours faithfully,\nVic "
        "Lane",
    ),
    (
        L.EIR,
        "River pollution",
        "Please send me the results of any water samples the council has taken from the River "
        "Lune near the industrial estate since January.\nThanks, Gwen Price",
    ),
    (
        L.EIR,
        "Solar panels on schools",
        "How many schools in the county have solar panels, and how much electricity did they "
        "generate last year?\nRegards, Idris Jones",
    ),
    (
        L.EIR,
        "Ash dieback",
        "Please provide the council's survey of ash dieback on highway trees and the felling "
        "programme for 2025.\nRob Ferris",
    ),
    (
        L.SAR,
        "Data protection request",
        "Dear Sir or Madam, I would like to see all the data your company has stored about me, "
        "including call notes and any credit checks. Yours faithfully, Mark Tully",
    ),
    (
        L.SAR,
        "Occupational health file",
        "As a former employee I would like a copy of my occupational health file and my "
        "disciplinary records.\nSharon Lee",
    ),
    (
        L.SAR,
        "Subject Access Request - Ref 77123",
        "Please provide copies of all emails and case notes in which my name appears, for the "
        "period January 2023 to now.\nRupert Gale",
    ),
    (
        L.INTERNAL_REVIEW,
        "Internal review of Freedom of Information request - Unpaid invoices",
        "Dear Greyshire Council,\n\nPlease pass this on to the person who conducts Freedom of "
        "Information reviews.\n\nI am writing to request an internal review of Greyshire "
        "Council's handling of my FOI request 'Unpaid invoices'. The response gave a total for "
        "all suppliers, not small businesses as I asked.\n\nYours faithfully,\nS. Rowe",
    ),
    (
        L.INTERNAL_REVIEW,
        "Your refusal of my request",
        "I am not satisfied with your decision to treat my request as vexatious and would like "
        "it reviewed by someone who was not involved in the original decision.\nAdam Price",
    ),
    (
        L.INTERNAL_REVIEW,
        "",
        "Your reply to my FOI left out the 2023 figures entirely. Please could the request be "
        "reviewed and the missing information provided.\nKate Brown",
    ),
    (
        L.COMPLAINT,
        "Complaint - street cleaning",
        "Our street has not been swept for two months. Leaves have blocked the drains and the "
        "pavement is dangerous. I am complaining because my calls get nowhere.\nLinda Hale",
    ),
    (
        L.COMPLAINT,
        "Treatment at the customer service centre",
        "I was kept waiting for two hours at the housing office and then told to come back "
        "tomorrow. That is no way to treat vulnerable people.\nAbdul Karim",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Library book fund",
        "Hi, just checking whether you got my request from last month? Haven't heard anything.\n"
        "Hannah",
    ),
    (
        L.CLARIFICATION,
        "Re: Clarification needed",
        "Sorry for the confusion. By 'training' I meant the statutory code of conduct sessions "
        "only.\nFrances Hill",
    ),
    (
        L.CLARIFICATION,
        "Re: Freedom of Information request - Ash dieback",
        "Thank you for sending the survey. That answers my question.\nRob Ferris",
    ),
    (
        L.OTHER,
        "Room booking",
        "Hi, can I book the community room at the library for a knitting group on Tuesday "
        "mornings?\nBest, Jean",
    ),
    (
        L.OTHER,
        "Christmas market stall",
        "We would like to apply for a stall at this year's Christmas market. Please can you tell "
        "us how to apply and the cost?\nThanks, Candle Co",
    ),
    (
        L.OTHER,
        "New cyber security service",
        "Hello, as a trusted partner to over 200 public bodies we are offering a free "
        "vulnerability scan this month. Reply YES to claim yours.\nDean, SecureNet",
    ),
]

# Set E's first run on the final rules: 20/22 (0.909; the shipped rules got 18/22). One miss,
# "my occupational health file", was the classifier giving different answers in different
# processes (an anchor word picked from a set), fixed since: 21/22. The other is kept here as a
# known gap, not tuned away: a review asked for in the passive voice ("could the request be
# reviewed") with nothing else a review says.
KNOWN_MISSES = {
    "Your reply to my FOI left out the 2023 figures entirely. Please could the request be "
    "reviewed and the missing information provided.\nKate Brown",
}


def _cases(*sets: list[tuple[Label, str, str]]) -> list[object]:
    cases: list[object] = []
    for examples in sets:
        for label, subject, text in examples:
            marks = (
                [pytest.mark.xfail(reason="known gap (set E, not tuned)", strict=True)]
                if text in KNOWN_MISSES
                else []
            )
            cases.append(pytest.param(label, subject, text, marks=marks))
    return cases


@pytest.mark.parametrize(("label", "subject", "text"), _cases(SET_A, SET_B, SET_C, SET_D, SET_E))
def test_held_out_message(label: Label, subject: str, text: str) -> None:
    decision = classify(Incoming(subject, text))
    assert decision.label is label, [str(e) for e in decision.evidence]


def test_every_label_is_held_out() -> None:
    sets = (SET_A, SET_B, SET_C, SET_D, SET_E)
    assert sum(len(s) for s in sets) >= 25
    for examples in sets:
        assert {label for label, _, _ in examples} == set(Label)
