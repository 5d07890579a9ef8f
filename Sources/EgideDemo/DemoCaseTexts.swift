import App
import EgideCore
import Foundation

/// The words of the demo's protection cases, in French and English: fictional defenders, threats,
/// plans, support, referrals, follow-ups, reviews and closures. Every case summary ends by saying
/// it is fictional, so a screenshot of the demo can never be mistaken for a real case file.
///
/// Texts go through `DemoAlertTexts.fill`: `{name}`, `{region}`, `{org}` and the gender
/// placeholders (`{e}`, `{il}`, `{Il}`, `{le}` in French; `{he}`, `{He}`, `{him}`, `{his}`, `{His}`
/// in English) are filled for each case.
enum DemoCaseTexts {
    typealias Pair = DemoAlertTexts.Pair

    static let fictional: Pair = (" (Dossier fictif — données de démonstration.)", " (Fictional case — demonstration data.)")

    // MARK: People

    /// More first names and surnames of each country, used with `DemoAlertTexts.names` so the
    /// cases' defenders are not the alerts' ones.
    static let moreNames: [String: DemoAlertTexts.Names] = [
        "CM": .init(
            women: ["Viviane", "Odette", "Laure", "Hortense", "Marthe", "Félicité", "Ruth", "Comfort"].map { ($0, nil) },
            men: ["Ignace", "Valentin", "Achille", "Fabien", "Clovis", "Joachim", "Godlove", "Nelson"].map { ($0, nil) },
            surnames: ["Owona", "Mbida", "Ndzana", "Essama", "Abanda", "Tsala", "Nkeng", "Achu", "Mbah", "Ngassa", "Djoumessi", "Kuete"].map { ($0, nil) }),
        "CD": .init(
            women: ["Mapendo", "Espérance", "Nathalie", "Consolata", "Jolie", "Françoise", "Marceline", "Kahambu"].map { ($0, nil) },
            men: ["Désiré", "Alphonse", "Héritier", "Christian", "Merveille", "Pascal", "Guillaume", "Kakule"].map { ($0, nil) },
            surnames: ["Mulumba", "Kabuya", "Nzita", "Lukusa", "Bisimwa", "Mushagalusa", "Kalume", "Safari", "Masika", "Cikuru", "Tshibanda", "Wembo"].map { ($0, nil) }),
        "TN": .init(
            women: [("Wafa", "وفاء"), ("Nour", "نور"), ("Khaoula", "خولة"), ("Emna", "آمنة"), ("Asma", "أسماء"), ("Hajer", "هاجر")],
            men: [("Oussama", "أسامة"), ("Mehdi", "مهدي"), ("Skander", "إسكندر"), ("Nabil", "نبيل"), ("Fethi", "فتحي"), ("Marwen", "مروان")],
            surnames: [("Trabelsi", "طرابلسي"), ("Gharsallah", "غرس الله"), ("Baccouche", "بكوش"), ("Mabrouk", "مبروك"), ("Riahi", "رياحي"),
                       ("Belhaj", "بلحاج"), ("Kefi", "كافي"), ("Saidi", "سعيدي")],
            nativeShare: 0.2),
        "GE": .init(
            women: [("Nino", "ნინო"), ("Ketevan", "ქეთევან"), ("Lika", "ლიკა"), ("Sopho", "სოფო"), ("Nana", "ნანა"), ("Tamta", "თამთა")],
            men: [("Levan", "ლევან"), ("Nika", "ნიკა"), ("Gela", "გელა"), ("Vakhtang", "ვახტანგ"), ("Tornike", "თორნიკე"), ("Shota", "შოთა")],
            surnames: [("Sikharulidze", "სიხარულიძე"), ("Gvenetadze", "გვენეტაძე"), ("Nozadze", "ნოზაძე"), ("Tabatadze", "ტაბატაძე"), ("Tsintsadze", "ცინცაძე"),
                       ("Shengelia", "შენგელია"), ("Jorbenadze", "ჯორბენაძე"), ("Lursmanashvili", "ლურსმანაშვილი")],
            nativeShare: 0.25),
    ]

    /// Organisations a case is opened for (none of them appears in the alerts).
    static let organisations: [String: [String]] = [
        "CM": ["Association Femmes et Terres du Centre", "North-West Independent Reporters", "Collectif citoyen de Kribi"],
        "CD": ["Synergie des femmes de Fizi", "Observatoire minier du Lualaba", "Réseau des radios libres de l'Ituri"],
        "TN": ["Association Nour pour les droits des personnes migrantes", "Collectif Mémoire du bassin minier"],
        "GE": ["Black Sea Coast Watch", "Equal Voices Rustavi"],
    ]

    /// Relatives at risk: who they are to the defender (`woman` decides the first name's pool;
    /// `child` gives a date of birth a child's age).
    static let relatives: [(relation: Pair, woman: Bool, child: Bool)] = [
        (("Conjointe", "Wife"), true, false), (("Conjoint", "Husband"), false, false),
        (("Fille, 9 ans", "Daughter, 9"), true, true), (("Fils, 15 ans", "Son, 15"), false, true),
        (("Mère, vit sous le même toit", "Mother, lives in the same house"), true, false),
        (("Frère, interrogé par la police", "Brother, questioned by the police"), false, false),
        (("Sœur, hébergée par la famille", "Sister, staying with the family"), true, false),
    ]

    /// A member of an organisation the case is opened for.
    static let colleagueNotes: [Pair] = [
        ("Coordinatrice de l'association, point de contact du dossier.", "The association's coordinator, contact point for the case."),
        ("Trésorier de l'association, convoqué avec la présidente.", "The association's treasurer, summoned with its chair."),
    ]

    static let identityNotes: [Pair] = [
        ("Préfère être appelé{e} le soir, sur Signal uniquement.", "Prefers calls in the evening, on Signal only."),
        ("Ne pas laisser de message vocal : téléphone parfois contrôlé.", "Do not leave voice messages: the phone is sometimes checked."),
        ("Parle aussi la langue locale ; interprète non nécessaire.", "Also speaks the local language; no interpreter needed."),
        ("Contact de secours : le partenaire local.", "Back-up contact: the local partner."),
    ]

    static let addresses: Pair = ("Logement provisoire chez des proches, {region}", "Temporary lodging with relatives, {region}")

    /// Gender identity and sexual orientation, recorded with the person's consent and in their own words.
    static let sensitive: [(gender: Pair?, orientation: Pair?)] = [
        (("Femme trans", "Trans woman"), nil),
        (nil, ("Gay", "Gay")),
        (("Non binaire", "Non-binary"), ("Pansexuel·le", "Pansexual")),
        (nil, ("Lesbienne", "Lesbian")),
        (("Homme trans", "Trans man"), ("Bisexuel", "Bisexual")),
    ]

    // MARK: What the case is about

    /// What the case is about, in the officer's words, by field of work (a person), and for an organisation.
    static let summaries: [FieldOfWork: [Pair]] = [
        .journalism: [
            ("{name}, journaliste à {region}, est menacé{e} depuis la publication d'une enquête sur des marchés publics. Convocations répétées, appels anonymes la nuit ; ses sources s'inquiètent.",
             "{name}, a journalist in {region}, has been threatened since publishing an investigation into public contracts. Repeated summons, anonymous calls at night; {his} sources are worried."),
            ("{name}, correspondant{e} d'une radio communautaire à {region}, a vu son matériel saisi à un barrage. Relâché{e}, {il} reste sous surveillance.",
             "{name}, a community radio correspondent in {region}, had {his} equipment seized at a checkpoint. Released, {he} remains under surveillance."),
        ],
        .landEnvironment: [
            ("{name} conduit l'opposition d'un village de {region} à l'extension d'une concession. Intimidations des vigiles, plainte de l'entreprise, un rassemblement dispersé par la force.",
             "{name} leads a village near {region} opposing the expansion of a concession. Intimidation by guards, a complaint by the company, a gathering broken up by force."),
            ("{name}, membre d'un comité de défense des terres à {region}, a reçu des menaces après le meurtre d'un autre membre du comité.",
             "{name}, a member of a land defence committee in {region}, was threatened after another committee member was killed."),
        ],
        .lgbtqi: [
            ("{name}, militant{e} LGBTQI+ à {region}, a été exposé{e} en ligne (photo, adresse). Des voisins menacent ; le bailleur refuse de renouveler le bail.",
             "{name}, an LGBTQI+ activist in {region}, was outed online (photo, address). Neighbours are threatening {him}; the landlord will not renew the lease."),
            ("{name} anime un groupe de soutien communautaire à {region}. Le lieu de réunion a été signalé à la police ; {il} craint une arrestation.",
             "{name} runs a community support group in {region}. The meeting place was reported to the police; {he} fears arrest."),
        ],
        .srhr: [
            ("{name}, sage-femme et défenseur{e} des droits sexuels et reproductifs à {region}, est visé{e} par une campagne de dénigrement à la radio locale.",
             "{name}, a midwife and sexual and reproductive rights defender in {region}, is the target of a smear campaign on local radio."),
        ],
        .antiTorture: [
            ("Maître {name}, avocat{e} de personnes détenues à {region}, est poursuivi{e} pour « outrage » après avoir dénoncé des mauvais traitements en garde à vue.",
             "{name}, a lawyer for detainees in {region}, is being prosecuted for \"contempt\" after exposing ill-treatment in police custody."),
        ],
        .womensRights: [
            ("{name} dirige une association de femmes à {region}. Sa maison familiale a été incendiée après une campagne contre les mariages forcés.",
             "{name} leads a women's association in {region}. {His} family home was set on fire after a campaign against forced marriage."),
            ("{name} accompagne des survivantes de violences à {region} ; {il} a été agressé{e} à la sortie d'une audience.",
             "{name} supports survivors of violence in {region}; {he} was assaulted on leaving a hearing."),
        ],
        .minorityRights: [
            ("{name} documente les discriminations contre une communauté minoritaire à {region}. Un collègue a disparu ; sa famille a été interrogée.",
             "{name} documents discrimination against a minority community in {region}. A colleague has disappeared; {his} family was questioned."),
        ],
        .labourRights: [
            ("{name}, délégué{e} syndical{e} dans une entreprise minière de {region}, a été frappé{e} par des vigiles puis licencié{e} et poursuivi{e}.",
             "{name}, a union representative at a mining company in {region}, was beaten by guards, then dismissed and charged."),
        ],
        .corruption: [
            ("{name}, membre d'un collectif anticorruption à {region}, est suivi{e} depuis la publication d'un rapport ; son téléphone reçoit des liens piégés.",
             "{name}, a member of an anti-corruption collective in {region}, has been followed since a report came out; {his} phone receives booby-trapped links."),
        ],
        .other: [
            ("{name}, défenseur{e} des droits humains à {region}, a vu sa messagerie piratée et des échanges publiés ; des sources pourraient être exposées.",
             "{name}, a human rights defender in {region}, had {his} messaging account hacked and conversations published; sources may be exposed."),
        ],
    ]

    static let organisationSummaries: [Pair] = [
        ("{org}, basée à {region}, est menacée de dissolution ; ses comptes sont gelés et ses responsables convoqué·es.",
         "{org}, based in {region}, faces dissolution; its accounts are frozen and its officers summoned."),
        ("Les locaux de {org} à {region} ont été perquisitionnés sans mandat ; ordinateurs et archives saisis.",
         "The offices of {org} in {region} were searched without a warrant; computers and archives seized."),
    ]

    /// Opening a case from an alert: the officer's first line before the alert's account.
    static let fromAlert: Pair = ("Dossier ouvert à partir de l'alerte vérifiée. ", "Case opened from the verified alert. ")

    // MARK: Risk assessment

    struct Threat {
        var actor: ThreatActorType
        var space: ThreatSpace
        var text: Pair
    }

    static let threats: [FieldOfWork: [Threat]] = [
        .journalism: [
            Threat(actor: .police, space: .offline, text: ("Convocations répétées à la police judiciaire au sujet de ses sources", "Repeated summons by the criminal police about {his} sources")),
            Threat(actor: .onlineActor, space: .online, text: ("Messages haineux et menaces de mort sur les réseaux sociaux", "Hate messages and death threats on social media")),
            Threat(actor: .stateSecurity, space: .both, text: ("Surveillance des communications et filatures après les reportages", "Communications watched and being followed after reports")),
            Threat(actor: .unknown, space: .offline, text: ("Appels anonymes la nuit évoquant le domicile", "Anonymous night calls mentioning {his} home")),
        ],
        .landEnvironment: [
            Threat(actor: .corporate, space: .offline, text: ("Intimidations des agents de sécurité de la concession", "Intimidation by the concession's security guards")),
            Threat(actor: .police, space: .offline, text: ("Risque d'arrestation lors des prochains rassemblements", "Risk of arrest at the next gatherings")),
            Threat(actor: .armedGroup, space: .offline, text: ("Menaces d'un groupe armé présent près des terres contestées", "Threats from an armed group near the disputed land")),
            Threat(actor: .judiciary, space: .offline, text: ("Plainte de l'entreprise pour « trouble à l'ordre public »", "The company's complaint for \"disturbing public order\"")),
            Threat(actor: .community, space: .offline, text: ("Pressions de notables favorables au projet", "Pressure from local notables who back the project")),
        ],
        .lgbtqi: [
            Threat(actor: .onlineActor, space: .online, text: ("Photo et adresse publiées sur des pages hostiles", "Photo and address published on hostile pages")),
            Threat(actor: .community, space: .offline, text: ("Menaces de voisins ; bail non renouvelé", "Threats from neighbours; lease not renewed")),
            Threat(actor: .police, space: .offline, text: ("Risque d'arrestation au titre de la loi pénalisant les relations entre personnes de même sexe", "Risk of arrest under the law criminalising same-sex relations")),
            Threat(actor: .family, space: .offline, text: ("Pressions familiales et menace d'un retour forcé au village", "Family pressure and threats of being taken back to the village")),
        ],
        .srhr: [
            Threat(actor: .community, space: .offline, text: ("Campagne de dénigrement à la radio locale", "Smear campaign on local radio")),
            Threat(actor: .unknown, space: .offline, text: ("Menaces anonymes déposées devant le centre de santé", "Anonymous threats left at the health centre")),
            Threat(actor: .onlineActor, space: .online, text: ("Harcèlement en ligne du personnel du centre", "Online harassment of the centre's staff")),
        ],
        .antiTorture: [
            Threat(actor: .judiciary, space: .offline, text: ("Poursuites pour « outrage à magistrat »", "Prosecution for \"contempt of court\"")),
            Threat(actor: .police, space: .offline, text: ("Intimidation des client·es détenu·es qui témoignent", "Intimidation of detained clients who testify")),
            Threat(actor: .stateSecurity, space: .both, text: ("Surveillance du cabinet et de ses communications", "Surveillance of the office and its communications")),
        ],
        .womensRights: [
            Threat(actor: .family, space: .offline, text: ("Menaces de familles opposées à la campagne contre les mariages forcés", "Threats from families opposed to the campaign against forced marriage")),
            Threat(actor: .unknown, space: .offline, text: ("Incendie criminel de la maison familiale", "Arson of the family home")),
            Threat(actor: .community, space: .offline, text: ("Menaces d'autorités traditionnelles", "Threats from traditional authorities")),
            Threat(actor: .criminal, space: .offline, text: ("Agression à la sortie d'une audience", "Assault after a hearing")),
        ],
        .minorityRights: [
            Threat(actor: .stateSecurity, space: .offline, text: ("Risque de disparition forcée après l'enlèvement d'un collègue", "Risk of enforced disappearance after a colleague was abducted")),
            Threat(actor: .politicalParty, space: .both, text: ("Discours de haine de militants d'un parti contre la communauté", "Hate speech against the community by party activists")),
            Threat(actor: .police, space: .offline, text: ("Interrogatoires de membres de la famille", "Relatives questioned by the police")),
        ],
        .labourRights: [
            Threat(actor: .corporate, space: .offline, text: ("Agressions par les vigiles de l'entreprise", "Assaults by the company's guards")),
            Threat(actor: .judiciary, space: .offline, text: ("Poursuites pour « incitation à la grève »", "Charges of \"incitement to strike\"")),
            Threat(actor: .police, space: .offline, text: ("Dispersion violente des assemblées syndicales", "Union meetings violently broken up")),
        ],
        .corruption: [
            Threat(actor: .stateSecurity, space: .online, text: ("Liens piégés et tentatives d'intrusion sur le téléphone", "Booby-trapped links and attempts to break into {his} phone")),
            Threat(actor: .politicalParty, space: .offline, text: ("Menaces d'un élu local mis en cause", "Threats from a local official named in the report")),
            Threat(actor: .unknown, space: .offline, text: ("Véhicule stationné devant le bureau depuis plusieurs jours", "A car parked outside the office for days")),
            Threat(actor: .judiciary, space: .offline, text: ("Plainte en diffamation", "A defamation suit")),
        ],
        .other: [
            Threat(actor: .onlineActor, space: .online, text: ("Piratage de la messagerie et publication de conversations", "Messaging account hacked and conversations published")),
            Threat(actor: .police, space: .offline, text: ("Convocations répétées sans motif", "Repeated summons without grounds")),
            Threat(actor: .unknown, space: .both, text: ("Menaces anonymes par SMS", "Anonymous threats by text message")),
            Threat(actor: .military, space: .offline, text: ("Contrôles répétés à un barrage militaire", "Repeated stops at a military checkpoint")),
        ],
    ]

    static let vulnerabilities: [Pair] = [
        ("Adresse du domicile connue publiquement", "Home address publicly known"),
        ("Trajets quotidiens réguliers et prévisibles", "Regular, predictable daily journeys"),
        ("Téléphone non chiffré, comptes sans double authentification", "Phone not encrypted; accounts without two-factor authentication"),
        ("Pas d'avocat·e désigné·e", "No lawyer appointed"),
        ("Famille vivant dans la même localité", "Family living in the same town"),
        ("Ressources financières très limitées", "Very limited financial means"),
        ("Isolement : peu de soutien du réseau local", "Isolation: little support from the local network"),
        ("Épuisement et troubles du sommeil", "Exhaustion and sleep problems"),
        ("Bureaux sans contrôle d'accès", "Office without access control"),
        ("Documents d'identité confisqués", "Identity papers confiscated"),
    ]

    static let capacities: [Pair] = [
        ("Réseau de défenseur·es actif qui relaie les alertes", "An active defenders' network that relays alerts"),
        ("Avocat·e expérimenté·e déjà saisi·e", "An experienced lawyer already engaged"),
        ("Bonnes pratiques numériques (Signal, sauvegardes)", "Good digital habits (Signal, backups)"),
        ("Lieu de repli sûr chez des proches", "A safe place to stay with relatives"),
        ("Visibilité internationale et soutien d'ambassades", "International visibility and embassy support"),
        ("Partenaire local présent dans la région", "A local partner working in the area"),
        ("Appel quotidien convenu avec l'équipe", "A daily check-in call agreed with the team"),
        ("Incidents bien documentés", "Incidents well documented"),
        ("Soutien de la communauté", "Community support"),
    ]

    /// Why the officer's level is the one computed, or higher, or lower.
    static let justificationSame: [Pair] = [
        ("Le niveau calculé correspond à l'analyse de l'équipe.", "The computed level matches the team's analysis."),
        ("Niveau retenu après échange avec la personne et le partenaire local.", "Level agreed after talking with the defender and the local partner."),
    ]
    static let justificationHigher: [Pair] = [
        ("Niveau relevé : les menaces précédentes ont été suivies d'actes et l'audience approche.",
         "Raised: earlier threats were followed by action, and the hearing is close."),
        ("Niveau relevé : le partenaire signale des préparatifs contre la personne, que la grille ne saisit pas.",
         "Raised: the partner reports preparations against the defender that the scale does not capture."),
    ]
    static let justificationLower: [Pair] = [
        ("Niveau abaissé : la personne est hébergée hors de la ville et les menaces ne la visent plus directement.",
         "Lowered: the defender is staying out of town and the threats no longer reach {him} directly."),
        ("Niveau abaissé : l'auteur présumé a été muté et aucun incident depuis six semaines.",
         "Lowered: the presumed author was transferred and there has been no incident for six weeks."),
    ]

    // MARK: Security plan

    struct Measure {
        var stage: MeasureStage
        var domain: MeasureDomain
        var owner: MeasureOwnerKind
        var text: Pair
    }

    static let measures: [Measure] = [
        Measure(stage: .prevention, domain: .digital, owner: .staff, text: ("Atelier de sécurité numérique : Signal, double authentification, sauvegardes chiffrées", "Digital security session: Signal, two-factor authentication, encrypted backups")),
        Measure(stage: .prevention, domain: .digital, owner: .defender, text: ("Changer les mots de passe et activer la double authentification partout", "Change passwords and turn on two-factor authentication everywhere")),
        Measure(stage: .prevention, domain: .physical, owner: .defender, text: ("Varier les trajets et les horaires entre domicile et bureau", "Vary routes and times between home and office")),
        Measure(stage: .prevention, domain: .physical, owner: .partner, text: ("Rencontre du partenaire avec les autorités locales pour signaler la situation", "The partner meets the local authorities to flag the situation")),
        Measure(stage: .prevention, domain: .legal, owner: .staff, text: ("Constituer le dossier des incidents pour l'avocat·e", "Put together the incident file for the lawyer")),
        Measure(stage: .prevention, domain: .psychosocial, owner: .defender, text: ("Prévoir des temps de repos hors de la ville", "Plan rest periods out of town")),
        Measure(stage: .prevention, domain: .relocation, owner: .staff, text: ("Repérer un lieu de repli sûr en cas d'aggravation", "Find a safe place to go if things get worse")),
        Measure(stage: .protection, domain: .physical, owner: .staff, text: ("Appel quotidien (matin et soir) avec l'équipe", "Daily check-in call (morning and evening) with the team")),
        Measure(stage: .protection, domain: .physical, owner: .partner, text: ("Accompagnement par le partenaire lors des déplacements sensibles", "The partner accompanies the defender on sensitive trips")),
        Measure(stage: .protection, domain: .legal, owner: .partner, text: ("Présence d'un·e avocat·e du réseau à chaque convocation", "A network lawyer attends every summons")),
        Measure(stage: .protection, domain: .relocation, owner: .staff, text: ("Relocalisation temporaire dans une autre ville (quatre semaines)", "Temporary relocation to another city (four weeks)")),
        Measure(stage: .protection, domain: .digital, owner: .defender, text: ("Séparer le téléphone militant du téléphone personnel", "Keep the activist phone apart from the personal one")),
        Measure(stage: .protection, domain: .psychosocial, owner: .partner, text: ("Séances d'écoute avec une psychologue partenaire", "Listening sessions with a partner psychologist")),
        Measure(stage: .protection, domain: .physical, owner: .defender, text: ("Ne pas dormir au domicile tant que l'adresse circule", "Not sleeping at home while the address is circulating")),
        Measure(stage: .response, domain: .legal, owner: .staff, text: ("Liste de contacts d'urgence (avocat·e, ambassades, réseau) en cas d'arrestation", "Emergency contact list (lawyer, embassies, network) in case of arrest")),
        Measure(stage: .response, domain: .physical, owner: .staff, text: ("Plan d'évacuation avec point de rendez-vous et budget d'urgence", "Evacuation plan with a meeting point and an emergency budget")),
        Measure(stage: .response, domain: .digital, owner: .staff, text: ("Procédure d'effacement à distance du téléphone en cas de saisie", "Remote wipe procedure for the phone if it is seized")),
        Measure(stage: .response, domain: .relocation, owner: .partner, text: ("Accueil d'urgence dans la maison de refuge du partenaire", "Emergency stay at the partner's shelter")),
        Measure(stage: .response, domain: .psychosocial, owner: .staff, text: ("Contact d'une ligne d'écoute en cas de crise", "Crisis helpline contact")),
        Measure(stage: .followUp, domain: .psychosocial, owner: .partner, text: ("Suivi psychologique mensuel après l'incident", "Monthly psychological follow-up after the incident")),
        Measure(stage: .followUp, domain: .legal, owner: .partner, text: ("Suivre la procédure jusqu'au jugement", "Follow the proceedings until judgment")),
        Measure(stage: .followUp, domain: .digital, owner: .staff, text: ("Vérifier les appareils trois mois après l'atelier", "Check the devices three months after the session")),
        Measure(stage: .followUp, domain: .relocation, owner: .staff, text: ("Préparer le retour au domicile et évaluer le quartier", "Prepare the return home and assess the neighbourhood")),
        Measure(stage: .followUp, domain: .physical, owner: .defender, text: ("Signaler tout nouvel incident à l'équipe sous 24 heures", "Report any new incident to the team within 24 hours")),
    ]

    static let measureNotes: [MeasureState: [Pair]] = [
        .inProgress: [("Commencé ; premier point la semaine prochaine.", "Started; first check next week."),
                      ("En cours, avec l'accord de la personne.", "Under way, with the defender's agreement.")],
        .done: [("Fait, confirmé par la personne.", "Done, confirmed by the defender."),
                ("Fait ; à revoir lors de la prochaine évaluation.", "Done; to be looked at again at the next assessment.")],
        .dropped: [("Abandonné : la personne préfère une autre solution.", "Dropped: the defender prefers another option."),
                   ("Abandonné : plus nécessaire depuis la relocalisation.", "Dropped: no longer needed since the relocation.")],
    ]

    static let planReviews: [Pair] = [
        ("Plan revu avec la personne : mesures numériques faites, la relocalisation reste prête si besoin.",
         "Plan reviewed with the defender: digital measures done; relocation stays ready if needed."),
        ("Plan allégé : l'accompagnement physique n'est plus nécessaire, l'appel quotidien devient hebdomadaire.",
         "Plan lightened: accompaniment no longer needed; the daily call becomes weekly."),
        ("Plan renforcé après la nouvelle menace : évacuation préparée, avocat·e prévenu·e.",
         "Plan strengthened after the new threat: evacuation prepared, lawyer on notice."),
    ]

    // MARK: Support

    struct Support {
        var type: SupportType
        var provider: SupportProvider
        var text: Pair
        /// Who provides it, in words, for external providers.
        var providerName: Pair?
        /// The cost in euros (converted to the case's currency); 0: no cost.
        var euros: Int
    }

    static let supports: [Support] = [
        Support(type: .material, provider: .inHouse, text: ("Téléphone sécurisé et carte SIM", "A secure phone and SIM card"), euros: 180),
        Support(type: .material, provider: .external, text: ("Remplacement du matériel de reportage saisi", "Replacing the seized reporting equipment"),
                providerName: ("Fournisseur local de confiance", "Trusted local supplier"), euros: 900),
        Support(type: .medical, provider: .external, text: ("Soins et certificat médical après l'agression", "Treatment and a medical certificate after the assault"),
                providerName: ("Centre médical de quartier", "Neighbourhood health centre"), euros: 250),
        Support(type: .medical, provider: .partnerReferral, text: ("Prise en charge médicale par le partenaire", "Medical care through the partner"), euros: 300),
        Support(type: .psychosocial, provider: .partnerReferral, text: ("Six séances de soutien psychologique", "Six psychological support sessions"), euros: 240),
        Support(type: .psychosocial, provider: .inHouse, text: ("Écoute et accompagnement par l'équipe", "Listening and accompaniment by the team"), euros: 0),
        Support(type: .legal, provider: .external, text: ("Honoraires d'avocat·e pour l'audience", "Lawyer's fees for the hearing"),
                providerName: ("Cabinet d'avocat·es du réseau", "The network's law firm"), euros: 800),
        Support(type: .legal, provider: .partnerReferral, text: ("Défense assurée par l'avocat·e du partenaire", "Defence by the partner's lawyer"), euros: 500),
        Support(type: .relocation, provider: .inHouse, text: ("Relocalisation temporaire : transport et hébergement (quatre semaines)", "Temporary relocation: travel and lodging (four weeks)"), euros: 1_200),
        Support(type: .relocation, provider: .partnerReferral, text: ("Hébergement dans la maison de refuge du partenaire", "A stay at the partner's shelter"), euros: 600),
        Support(type: .digitalSecurity, provider: .inHouse, text: ("Vérification des appareils et accompagnement numérique", "Device check and digital security coaching"), euros: 0),
        Support(type: .digitalSecurity, provider: .external, text: ("Nettoyage d'un téléphone compromis", "Cleaning a compromised phone"),
                providerName: ("Technicien·ne de confiance", "Trusted technician"), euros: 150),
        Support(type: .family, provider: .inHouse, text: ("Frais de scolarité des enfants pendant la relocalisation", "Children's school fees during the relocation"), euros: 350),
        Support(type: .family, provider: .partnerReferral, text: ("Soutien alimentaire à la famille pendant la détention", "Food support for the family during the detention"), euros: 200),
    ]

    static let supportOutcomes: [SupportState: [Pair]] = [
        .approved: [("Accordé par la coordination.", "Approved by the coordinator.")],
        .delivered: [("Remis ; justificatifs reçus.", "Delivered; receipts received."), ("Fait ; la personne confirme.", "Done; the defender confirms.")],
        .declined: [("Refusé : hors des critères du fonds d'urgence ; une autre piste est proposée.", "Declined: outside the emergency fund's criteria; another option suggested.")],
        .cancelled: [("Annulé : la personne a trouvé une autre solution.", "Cancelled: the defender found another solution."),
                     ("Annulé : plus nécessaire.", "Cancelled: no longer needed.")],
    ]

    // MARK: Referrals

    static let referralMessages: [Pair] = [
        ("Nous vous orientons ce dossier pour un accompagnement juridique sur place. Pouvez-vous le prendre ?",
         "We are referring this case to you for legal support on the ground. Can you take it?"),
        ("Demande d'accompagnement psychosocial près du lieu de résidence.", "Request for psychosocial support near where the defender lives."),
        ("Pouvez-vous assurer un suivi de proximité pendant la relocalisation ?", "Could you follow the defender closely during the relocation?"),
    ]

    static let referralAnswers: [ReferralState: [Pair]] = [
        .accepted: [("Accepté : notre avocate prend contact cette semaine.", "Accepted: our lawyer will be in touch this week."),
                    ("Accepté ; une visite est prévue samedi.", "Accepted; a visit is planned on Saturday.")],
        .declined: [("Nous ne pouvons pas prendre ce dossier : conflit d'intérêts avec une autre affaire.", "We cannot take this case: conflict of interest with another case."),
                    ("Pas de capacité avant le mois prochain, désolé·es.", "No capacity before next month, sorry.")],
        .reported: [("Trois rencontres ; la procédure est suspendue et la personne va mieux.", "Three meetings; the proceedings are suspended and the defender is doing better."),
                    ("Accompagnement terminé ; la famille est relogée.", "Support completed; the family has been rehoused.")],
        .withdrawn: [("Retiré : le besoin a été couvert autrement.", "Withdrawn: the need was met another way.")],
    ]

    static let partnerNotes: [Pair] = [
        ("Visite faite ; la personne va bien, l'audience est reportée.", "Visit made; the defender is well and the hearing is postponed."),
        ("Rencontre avec la famille : besoin de soutien scolaire pour les enfants.", "Met the family: the children need help with school."),
        ("Aucun incident signalé cette semaine dans le quartier.", "No incident reported in the neighbourhood this week."),
    ]

    // MARK: Follow-ups

    static let followUpPurposes: [Pair] = [
        ("Appel de suivi : sécurité, santé, besoins", "Follow-up call: safety, health, needs"),
        ("Point sur la procédure judiciaire", "Update on the court case"),
        ("Vérifier l'application du plan de sécurité", "Check the security plan is being followed"),
        ("Rencontre avec le partenaire et la personne", "Meeting with the partner and the defender"),
    ]

    static let followUpNotes: [FollowUpState: [Pair]] = [
        .done: [("Situation stable ; les mesures convenues sont appliquées.", "Stable; the agreed measures are being followed."),
                ("Moins d'appels anonymes ; grande fatigue.", "Fewer anonymous calls; very tired."),
                ("Audience reportée ; l'avocat·e suit le dossier.", "Hearing postponed; the lawyer is following the case.")],
        .missed: [("Pas de réponse ; nouvel essai dans deux jours.", "No answer; trying again in two days.")],
        .cancelled: [("Annulé : remplacé par une rencontre avec le partenaire.", "Cancelled: replaced by a meeting with the partner."),
                     ("Annulé à la clôture du dossier.", "Cancelled as the case was closed.")],
    ]

    static let newThreats: [Pair] = [
        ("Nouvelle menace : un message mentionne l'école des enfants. Réévaluation nécessaire.", "New threat: a message mentions the children's school. Reassessment needed."),
        ("Nouvelle convocation reçue, cette fois pour un interrogatoire.", "A new summons came, this time for questioning."),
        ("Des inconnus ont demandé après la personne au marché.", "Strangers asked about the defender at the market."),
    ]

    // MARK: Reviews and closure

    static let reviews: [CaseReviewKind: [(findings: Pair, actions: Pair)]] = [
        .conference: [
            (("Risque élevé persistant ; l'audience approche.", "High risk persists; the hearing is close."),
             ("Préparer l'évacuation, renforcer les appels, saisir le partenaire juridique.", "Prepare the evacuation, step up the calls, engage the legal partner.")),
            (("La relocalisation fonctionne ; la famille reste exposée.", "The relocation works; the family is still exposed."),
             ("Étendre le plan aux proches ; demander un soutien familial.", "Extend the plan to the relatives; request family support.")),
        ],
        .audit: [
            (("Dossier complet ; une réévaluation en retard.", "File complete; one reassessment overdue."),
             ("Réévaluer d'ici vendredi.", "Reassess by Friday.")),
            (("Consentement au partage non enregistré avant l'orientation.", "Consent to sharing not recorded before the referral."),
             ("Recueillir et enregistrer le consentement ; ne partager que le code d'ici là.", "Obtain and record consent; share only the code until then.")),
        ],
    ]

    static let closures: [CaseOutcome: Pair] = [
        .riskReduced: ("Plus d'incident depuis deux mois ; la personne a repris son travail en sécurité.", "No incident for two months; the defender is back at work safely."),
        .riskUnchanged: ("Les menaces continuent à bas bruit ; dossier clos à la demande de la personne, réouverture possible.",
                         "Threats continue at a low level; closed at the defender's request, may be reopened."),
        .relocated: ("Installé{e} durablement dans une autre région avec sa famille ; lien maintenu avec le partenaire.",
                     "Settled for the long term in another region with {his} family; still in touch with the partner."),
        .inDetention: ("En détention provisoire ; la défense est assurée par le partenaire, qui suit le dossier.",
                       "In pre-trial detention; the partner handles the defence and follows the case."),
        .deceased: ("Décédé{e} des suites d'une maladie, sans lien établi avec ses activités ; la famille a été accompagnée.",
                    "Died of an illness, with no established link to {his} work; the family was supported."),
        .lostContact: ("Plus de nouvelles depuis six semaines malgré les relances du partenaire.", "No news for six weeks despite the partner's attempts."),
        .declinedSupport: ("La personne a décliné la poursuite de l'accompagnement.", "The defender declined further support."),
        .other: ("Dossier transféré à une organisation internationale mieux placée.", "Case handed over to an international organisation better placed to help."),
    ]

    static let impactNotes: [ImpactMoment: [Pair]] = [
        .closure: [("Bilan fait avec la personne à la clôture.", "Review done with the defender at closure.")],
        .threeMonths: [("Appel à trois mois : la situation tient.", "Three-month call: the situation is holding."),
                       ("Appel à trois mois : reprise progressive des activités.", "Three-month call: gradually back to work.")],
        .twelveMonths: [("Bilan à douze mois avec le partenaire.", "Twelve-month review with the partner."),
                        ("Bilan à douze mois : toujours active dans le réseau local.", "Twelve-month review: still active in the local network.")],
    ]
}
